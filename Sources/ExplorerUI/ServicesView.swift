import TraceModel

/// The services table: spans, traces, error rate, entry-span latency, last seen.
enum ServicesView {
    static func draw(_ state: AppState, into canvas: inout Canvas, rect: Rect) {
        let v = state.services
        let narrow = rect.width < 80
        // Narrow terminals keep the findings and drop the last-seen time.
        let fixed: [(ServiceSort, Int)] = [(.spans, 8), (.traces, 8), (.errorRate, 8), (.p50, 9), (.p95, 9), (.lastSeen, narrow ? 0 : 14)]
        let findingsWidth = narrow ? 9 : 10
        let nameWidth = max(12, rect.width - 2 - fixed.reduce(0) { $0 + $1.1 } - findingsWidth)
        // Header, with ▼ on the sort column.
        let header = Style(.header, bold: true)
        let mark = { (s: ServiceSort) in state.services.sort == s ? "▼" : "" }
        canvas.put(" " + DisplayWidth.pad(ServiceSort.name.title + mark(.name), to: nameWidth), x: rect.x, y: rect.y, style: header)
        var x = rect.x + 1 + nameWidth
        for (sort, w) in fixed {
            canvas.put(DisplayWidth.pad(mark(sort) + sort.title, to: w, alignRight: true), x: x, y: rect.y, style: header)
            x += w
        }
        canvas.put(DisplayWidth.pad("FINDINGS", to: findingsWidth, alignRight: true), x: x, y: rect.y, style: header)
        let visible = rect.height - 1
        if v.rows.isEmpty {
            let text = state.store.spanCount == 0 ? "No spans yet — waiting for \(state.sourceName)" : "No service matches \"\(v.filter)\""
            Table.emptyMessage(&canvas, text, rect: Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: visible))
            return
        }
        Table.drawVisibleRows(v.rows, position: v.position, rect: rect, canvas: &canvas) { row, y, selected, canvas in
            let slot = state.servicePalette[row.name] ?? 1
            canvas.put(" " + DisplayWidth.pad(row.name, to: nameWidth), x: rect.x, y: y, style: selected ?? Style(.service(slot)))
            let cells: [(String, Style)] = [
                (Table.count(row.spanCount, width: 8), Style()),
                (Table.count(row.traceCount, width: 8), Style()),
                (String(format1(row.errorRate * 100)) + "%", row.errorCount > 0 ? Style(.error) : Style(.muted)),
                (DurationFormat.format(row.p50), Style()),
                (DurationFormat.format(row.p95), row.p95 > row.p50 * 5 ? Style(.warning) : Style()),
                (TimeFormat.timeOfDay(row.lastSeen, utcOffsetSeconds: state.utcOffsetSeconds), Style(.muted)),
            ]
            var x = rect.x + 1 + nameWidth
            // A remote service with nothing loaded yet: no figures to show.
            let shown = row.spanCount == 0 ? cells.map { _ in ("–", Style(.muted)) } : cells
            for ((text, style), (_, w)) in zip(shown, fixed) {
                canvas.put(DisplayWidth.pad(text, to: w, alignRight: true), x: x, y: y, style: selected ?? style)
                x += w
            }
            do {
                let f = state.services.findings[row.name] ?? (0, 0)
                let text = f.errors + f.warnings == 0 ? "·" : [f.errors > 0 ? "\(Table.count(f.errors, width: 5))E" : nil,
                                                              f.warnings > 0 ? "\(Table.count(f.warnings, width: 5))W" : nil]
                    .compactMap { $0 }.joined(separator: " ")
                canvas.put(DisplayWidth.pad(text, to: findingsWidth, alignRight: true), x: x, y: y,
                           style: selected ?? Style(f.errors > 0 ? .error : f.warnings > 0 ? .warning : .muted))
            }
        }
    }

    static func format1(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return String(r)
    }
}
