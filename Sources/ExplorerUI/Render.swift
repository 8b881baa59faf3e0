import TraceModel

/// State → screen. Pure: the same state always draws the same canvas.
public func render(_ state: AppState) -> Canvas {
    var canvas = Canvas(width: state.width, height: state.height)
    let layout = state.layout
    if layout.isTooSmall {
        drawTooSmall(&canvas)
        return canvas
    }
    TitleBar.draw(state, into: &canvas)
    switch state.screen {
    case .services: ServicesView.draw(state, into: &canvas, rect: layout.content)
    case .traces: TracesView.draw(state, into: &canvas, rect: layout.content)
    case .waterfall: WaterfallView.draw(state, into: &canvas, layout: layout)
    case .insights: InsightsView.draw(state, into: &canvas, rect: layout.content)
    }
    StatusBar.draw(state, into: &canvas)
    if let form = state.searchForm { SearchFormView.draw(state, form, into: &canvas) }
    if state.showHelp { HelpOverlay.draw(state, into: &canvas) }
    return canvas
}

private func drawTooSmall(_ canvas: inout Canvas) {
    let lines = ["spanscope needs \(Layout.minimumWidth)×\(Layout.minimumHeight)",
                 "this terminal is \(canvas.width)×\(canvas.height)", "enlarge it, or q to quit"]
    let top = max(0, (canvas.height - lines.count) / 2)
    for (i, line) in lines.enumerated() {
        let w = DisplayWidth.of(line)
        canvas.put(line, x: max(0, (canvas.width - w) / 2), y: top + i, style: Style(i == 0 ? .warning : .muted))
    }
}

/// Shared drawing helpers for tables.
enum Table {
    /// Draws the cursor row's background, returning the style its text should use.
    static func rowStyle(_ canvas: inout Canvas, selected: Bool, rect: Rect, y: Int) -> Style? {
        guard selected else { return nil }
        let style = Style(.cursor)
        canvas.fill(x: rect.x, y: y, width: rect.width, style: style)
        return style
    }

    /// Calls `draw` for each row on screen below the header with its y and, on the
    /// cursor row, the cursor style (its background already painted).
    static func drawVisibleRows<Row>(_ rows: [Row], position: ListPosition, rect: Rect, canvas: inout Canvas,
                                     _ draw: (Row, Int, Style?, inout Canvas) -> Void) {
        for line in 0..<(rect.height - 1) {
            let i = position.scroll + line
            guard i < rows.count else { break }
            let y = rect.y + 1 + line
            let selected = rowStyle(&canvas, selected: i == position.cursor, rect: rect, y: y)
            draw(rows[i], y, selected, &canvas)
        }
    }

    static func emptyMessage(_ canvas: inout Canvas, _ text: String, rect: Rect) {
        let w = DisplayWidth.of(text)
        canvas.put(text, x: rect.x + max(0, (rect.width - w) / 2), y: rect.y + rect.height / 2, style: Style(.muted))
    }

    /// "12–40 of 311" for a header's right end.
    static func positionLabel(_ p: ListPosition, count: Int, visible: Int) -> String {
        guard count > 0 else { return "0" }
        let last = min(count, p.scroll + visible)
        return "\(p.scroll + 1)–\(last) of \(count)"
    }

    /// A count for a right-aligned column `width` cells wide, keeping a blank before it
    /// so it never runs into the column on its left: in full while that fits
    /// ("980,397"), else shortened ("1.0M", "250k").
    static func count(_ n: Int, width: Int) -> String {
        let full = grouped(n)
        return full.count < width ? full : abbreviated(n)
    }

    /// "1.2k", "250k", "1.0M", "3.4G": rounded down, so a count never reads larger
    /// than it is; at most four characters below a trillion.
    static func abbreviated(_ n: Int) -> String {
        guard n >= 1_000 else { return String(n) }
        let units: [(Int, String)] = [(1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")]
        let (size, unit) = units.first { n >= $0.0 }!
        let whole = n / size
        if whole >= 10 { return String(whole) + unit }
        return "\(whole).\(n % size * 10 / size)" + unit
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        guard n >= 10_000 else { return s }
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

enum TitleBar {
    static func draw(_ state: AppState, into canvas: inout Canvas) {
        let style = Style(.title)
        canvas.fill(x: 0, y: 0, width: canvas.width, style: style)
        var crumbs = ["spanscope", "Services"]
        if state.screen == .insights {
            crumbs.append("Insights")
            if let g = state.insights.openGroup { crumbs.append(g.rule.id + " · " + g.service) }
        } else if state.screen != .services {
            var t = "Traces"
            if let s = state.traces.service { t += ": " + s }
            crumbs.append(t)
        }
        if state.screen == .waterfall, let w = state.waterfall {
            var t = "Trace " + String(w.traceID.hex.prefix(12)) + "…"
            if !w.rootName.isEmpty { t += " " + w.rootName }
            crumbs.append(t)
        }
        let right = state.sourceName + " "
        let rightWidth = DisplayWidth.of(right)
        canvas.put(DisplayWidth.truncate(" " + crumbs.joined(separator: " › "), to: canvas.width - rightWidth - 1), x: 0, y: 0, style: style)
        canvas.put(right, x: max(0, canvas.width - rightWidth), y: 0, style: style)
    }
}
