import TraceModel

/// The trace list, newest first, with a duration bar relative to the slowest shown.
enum TracesView {
    static func draw(_ state: AppState, into canvas: inout Canvas, rect: Rect) {
        let v = state.traces
        let barWidth = rect.width >= 100 ? 16 : 8
        let serviceWidth = rect.width >= 100 ? 18 : 12
        // Rows from several days need the date; otherwise the time of day says more.
        let manyDays = v.spansManyDays
        let startWidth = manyDays ? 19 : 12
        let fixed = startWidth + 1 + serviceWidth + 10 + 7 + 5 + barWidth + 2
        let nameWidth = max(10, rect.width - fixed - 1)
        let header = Style(.header, bold: true)
        var title = " " + DisplayWidth.pad("START", to: startWidth) + " " + DisplayWidth.pad("SERVICE", to: serviceWidth) + " "
            + DisplayWidth.pad("ROOT SPAN", to: nameWidth)
        title += DisplayWidth.pad("DURATION", to: 10, alignRight: true) + DisplayWidth.pad("SPANS", to: 7, alignRight: true)
            + DisplayWidth.pad("ERR", to: 5, alignRight: true) + "  "
        canvas.put(title, x: rect.x, y: rect.y, style: header)
        let visible = rect.height - 1
        var notes: [String] = []
        if v.errorsOnly { notes.append("errors only") }
        if !v.query.isEmpty { notes.append("/" + v.query) }
        notes.append(Table.positionLabel(v.position, count: v.rows.count, visible: visible))
        // The notes share the header line with the bar column: drop what does not fit.
        let room = rect.width - DisplayWidth.of(title) - 1
        while !notes.isEmpty && DisplayWidth.of(notes.joined(separator: " · ")) + 1 > room { notes.removeFirst() }
        let noteText = notes.joined(separator: " · ") + " "
        if !notes.isEmpty {
            canvas.put(noteText, x: rect.x + rect.width - DisplayWidth.of(noteText), y: rect.y, style: Style(.accent))
        }
        if v.rows.isEmpty {
            let text: String
            if state.canSearch {
                let f = state.lastSearchForm
                text = "No trace of \(v.service ?? "this service") in the last \(f[.lookback]) — f changes the search"
            } else {
                text = state.store.spanCount == 0 ? "No traces yet — waiting for \(state.sourceName)" : "No trace matches the filter"
            }
            Table.emptyMessage(&canvas, text, rect: Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: visible))
            return
        }
        let longest = v.longestDuration
        let scale = TimeScale(start: 0, end: max(1, longest))
        Table.drawVisibleRows(v.rows, position: v.position, rect: rect, canvas: &canvas) { row, y, selected, canvas in
            var x = rect.x + 1
            let start = manyDays ? String(TimeFormat.dateTime(row.startTime, utcOffsetSeconds: state.utcOffsetSeconds).dropLast(4))
                : TimeFormat.timeOfDay(row.startTime, utcOffsetSeconds: state.utcOffsetSeconds)
            x += canvas.put(DisplayWidth.pad(start, to: startWidth) + " ",
                            x: x, y: y, style: selected ?? Style(.muted))
            let slot = state.servicePalette[row.rootService] ?? 1
            x += canvas.put(DisplayWidth.pad(row.rootService, to: serviceWidth) + " ", x: x, y: y, style: selected ?? Style(.service(slot)))
            let name = (row.hasRoot ? "" : "⚠ ") + row.rootName
            x += canvas.put(DisplayWidth.pad(name, to: nameWidth), x: x, y: y, style: selected ?? Style(row.hasRoot ? .text : .warning))
            x += canvas.put(DisplayWidth.pad(DurationFormat.format(row.duration), to: 10, alignRight: true), x: x, y: y, style: selected ?? Style())
            x += canvas.put(DisplayWidth.pad(Table.count(row.spanCount, width: 7), to: 7, alignRight: true), x: x, y: y, style: selected ?? Style(.muted))
            x += canvas.put(DisplayWidth.pad(row.errorCount > 0 ? Table.count(row.errorCount, width: 5) : "·", to: 5, alignRight: true),
                            x: x, y: y, style: selected ?? Style(row.errorCount > 0 ? .error : .muted))
            canvas.put("  " + scale.bar(start: 0, end: row.duration, width: barWidth), x: x, y: y,
                       style: selected ?? Style(row.errorCount > 0 ? .barError : .bar))
        }
    }
}
