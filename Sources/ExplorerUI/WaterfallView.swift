import TraceModel

/// The span tree on the trace's time axis, with the span detail beside or below it.
enum WaterfallView {
    static func draw(_ state: AppState, into canvas: inout Canvas, layout: Layout) {
        guard let w = state.waterfall else { return }
        let pane = layout.waterfallPane
        drawTree(state, w, into: &canvas, pane: pane)
        let detail = layout.detailPane
        if layout.sideBySide {
            for y in pane.y..<(pane.y + pane.height) { canvas.put("│", x: pane.width, y: y, style: Style(.border)) }
        }
        DetailView.draw(state, w, into: &canvas, pane: detail)
    }

    struct Columns {
        var name: Int, service: Int, bar: Int, duration: Int
        init(width: Int) {
            duration = 9
            service = width >= 110 ? 16 : 12
            name = min(56, max(18, width * 2 / 5))
            bar = max(6, width - 2 - name - 1 - service - 1 - duration - 1)
        }
    }

    static func drawTree(_ state: AppState, _ w: WaterfallViewState, into canvas: inout Canvas, pane: Rect) {
        let cols = Columns(width: pane.width)
        let barX = pane.x + 2 + cols.name + 1 + cols.service + 1
        let scale = TimeScale(start: w.trace.startTime, end: w.trace.endTime)
        // Header: column names and the time axis with ticks.
        let header = Style(.header, bold: true)
        canvas.fill(x: pane.x, y: pane.y, width: pane.width, style: header)
        var title = "SPAN"
        if w.hideNonMatching && !w.search.isEmpty {
            title += " · filter: \(w.matchSpans.count) of \(w.trace.spanCount) match (H shows all)"
        }
        if w.trace.spansOverCap > 0 {
            // Short: the status bar says which cap.
            title += " · ⚠ \(Table.grouped(w.trace.spansOverCap)) not kept: over cap"
        }
        canvas.put("  " + DisplayWidth.pad(DisplayWidth.truncate(title, to: cols.name), to: cols.name) + " " + DisplayWidth.pad("SERVICE", to: cols.service),
                   x: pane.x, y: pane.y, style: header)
        drawAxis(&canvas, x: barX, y: pane.y, width: cols.bar, duration: scale.span, style: header)
        canvas.put(DisplayWidth.pad(DurationFormat.format(w.trace.duration), to: cols.duration, alignRight: true),
                   x: barX + cols.bar + 1, y: pane.y, style: header)
        let visible = pane.height - 1
        // Only the matches on screen: a broad query can match most of a huge trace.
        var lo = 0, hi = w.matches.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if w.matches[mid] < w.position.scroll { lo = mid + 1 } else { hi = mid }
        }
        let firstMatch = lo
        let matches = Set(w.matches[firstMatch...].prefix { $0 < w.position.scroll + visible })
        let focused = w.focus == .waterfall
        for line in 0..<visible {
            let i = w.position.scroll + line
            guard i < w.rows.count else { break }
            let row = w.rows[i]
            let y = pane.y + 1 + line
            let isCursor = i == w.position.cursor
            var selected: Style?
            if isCursor {
                selected = focused ? Style(.cursor) : Style(.text, reverse: true)
                canvas.fill(x: pane.x, y: y, width: pane.width, style: selected!)
            }
            var guide = WaterfallLayout.guide(for: i, in: w.rows)
            if DisplayWidth.of(guide) > cols.name / 2 {
                guide = "⋯\(row.depth)" + String(guide.suffix(3))
            }
            switch row.kind {
            case .missingParent(let id, let isCycle):
                canvas.put("⚠", x: pane.x, y: y, style: selected ?? Style(.warning, bold: true))
                let label = isCycle ? "⟳ parent cycle via \(id.hex)" : "missing parent \(id.hex) · \(row.childCount) orphan\(row.childCount == 1 ? "" : "s")"
                canvas.put(guide + label, x: pane.x + 2, y: y, style: selected ?? Style(.warning), maxWidth: pane.width - 2)
            case .run(let members):
                guard let stats = row.run else { continue }
                let first = w.trace.spans[members[0]]
                let errors = stats.errors
                if errors > 0 {
                    canvas.put("✗", x: pane.x, y: y, style: selected ?? Style(.error, bold: true))
                } else if matches.contains(i) {
                    canvas.put("◆", x: pane.x, y: y, style: selected ?? Style(.accent))
                }
                var x = pane.x + 2
                x += canvas.put(guide, x: x, y: y, style: selected ?? Style(.muted), maxWidth: cols.name)
                x += canvas.put(row.isCollapsed ? "▸ " : "▾ ", x: x, y: y, style: selected ?? Style(.muted), maxWidth: pane.x + 2 + cols.name - x)
                let count = " ×\(stats.count)"
                let sums = "  Σ\(DurationFormat.format(stats.total)) max \(DurationFormat.format(stats.longest))"
                let room = pane.x + 2 + cols.name - x
                // Sums go first when room is short: the detail pane lists them too.
                let withStats = room - DisplayWidth.of(count) - DisplayWidth.of(sums) >= min(DisplayWidth.of(first.name), 12)
                let nameRoom = max(1, room - DisplayWidth.of(count) - (withStats ? DisplayWidth.of(sums) : 0))
                var used = canvas.put(DisplayWidth.truncate(first.name, to: nameRoom), x: x, y: y,
                                      style: selected ?? (matches.contains(i) ? Style(.match) : Style(errors > 0 ? .error : .text)))
                used += canvas.put(count, x: x + used, y: y, style: selected ?? Style(.accent, bold: true), maxWidth: room - used)
                if withStats { canvas.put(sums, x: x + used, y: y, style: selected ?? Style(.muted), maxWidth: room - used) }
                let slot = state.servicePalette[first.serviceName] ?? 1
                canvas.put(DisplayWidth.pad(first.serviceName, to: cols.service), x: pane.x + 2 + cols.name + 1, y: y,
                           style: selected ?? Style(.service(slot)))
                canvas.put(scale.bar(start: stats.start, end: stats.end, width: cols.bar), x: barX, y: y,
                           style: selected ?? Style(errors > 0 ? .barError : .service(slot)))
                canvas.put(DisplayWidth.pad(DurationFormat.format(stats.end - stats.start), to: cols.duration, alignRight: true), x: barX + cols.bar + 1, y: y,
                           style: selected ?? Style(.muted))
            case .span(let s):
                let span = w.trace.spans[s]
                if let worst = w.findings[span.spanID]?.map(\.severity).max() {
                    canvas.put(worst.mark, x: pane.x + 1, y: y, style: selected ?? Style(worst.role))
                }
                if span.isError {
                    canvas.put("✗", x: pane.x, y: y, style: selected ?? Style(.error, bold: true))
                } else if matches.contains(i) {
                    canvas.put("◆", x: pane.x, y: y, style: selected ?? Style(.accent))
                }
                var x = pane.x + 2
                x += canvas.put(guide, x: x, y: y, style: selected ?? Style(.muted), maxWidth: cols.name)
                let fold = row.childCount == 0 ? "" : (row.isCollapsed ? "▸ " : "▾ ")
                x += canvas.put(fold, x: x, y: y, style: selected ?? Style(.muted), maxWidth: pane.x + 2 + cols.name - x)
                let hidden = row.isCollapsed ? " +\(row.hiddenDescendants)" : ""
                let room = pane.x + 2 + cols.name - x
                let nameStyle = matches.contains(i) ? Style(.match) : Style(span.isError ? .error : .text)
                let used = canvas.put(DisplayWidth.truncate(span.name, to: max(1, room - DisplayWidth.of(hidden))), x: x, y: y,
                                      style: selected ?? nameStyle)
                canvas.put(hidden, x: x + used, y: y, style: selected ?? Style(.accent), maxWidth: room - used)
                let slot = state.servicePalette[span.serviceName] ?? 1
                canvas.put(DisplayWidth.pad(span.serviceName, to: cols.service), x: pane.x + 2 + cols.name + 1, y: y,
                           style: selected ?? Style(.service(slot)))
                canvas.put(scale.bar(start: span.startTime, end: span.endTime, width: cols.bar), x: barX, y: y,
                           style: selected ?? Style(span.isError ? .barError : .service(slot)))
                let d = span.isUnended ? "unended" : DurationFormat.format(span.duration)
                canvas.put(DisplayWidth.pad(d, to: cols.duration, alignRight: true), x: barX + cols.bar + 1, y: y,
                           style: selected ?? Style(span.isUnended ? .warning : .muted))
            }
        }
    }

    /// Tick labels along the time axis, spaced so they never collide.
    static func drawAxis(_ canvas: inout Canvas, x: Int, y: Int, width: Int, duration: Int64, style: Style) {
        let ticks = max(1, width / 14)
        for t in 0..<ticks {
            let col = x + t * width / ticks
            let label = "┊" + DurationFormat.format(duration * Int64(t) / Int64(ticks))
            canvas.put(label, x: col, y: y, style: style, maxWidth: width / ticks)
        }
    }
}
