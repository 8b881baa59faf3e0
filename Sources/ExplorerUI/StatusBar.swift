import TraceModel

/// Source health, counts, decode errors and live/paused; below it, the keys that
/// matter here (or the filter prompt while it is open).
enum StatusBar {
    static func healthText(_ h: SourceHealth) -> (String, Bool) {
        switch h {
        case .loading(let read, let total):
            let pct = total > 0 ? " \(read * 100 / total)%" : ""
            return ("◌ loading\(pct)", false)
        case .following: return ("● following", false)
        case .done: return ("■ loaded", false)
        case .polling(let detail): return ("● " + detail, false)
        case .waiting(let why): return ("◌ " + why, false)
        case .failed(let message, let retry):
            return ("✗ " + message + (retry.map { " · retry in \(Int($0.rounded(.up)))s" } ?? ""), true)
        }
    }

    static func draw(_ state: AppState, into canvas: inout Canvas) {
        let y = state.layout.statusRow
        let base = Style(.status)
        canvas.fill(x: 0, y: y, width: canvas.width, style: base)
        let (health, failed) = healthText(state.health)
        var x = canvas.put(" " + DisplayWidth.truncate(health, to: canvas.width / 2) + " ", x: 0, y: y,
                           style: failed ? Style(.statusError) : base)
        let spans = state.store.spanCount, traces = state.store.traceCount
        var parts = ["\(Table.grouped(spans)) span\(spans == 1 ? "" : "s") · \(Table.grouped(traces)) trace\(traces == 1 ? "" : "s")"]
        if state.store.evictedTraces > 0 { parts.append("\(Table.grouped(state.store.evictedTraces)) evicted") }
        if state.store.spansOverCap > 0 { parts.append("\(Table.grouped(state.store.spansOverCap)) over the per-trace cap") }
        if state.findingsBehind > 0 { parts.append("checking \(Table.grouped(state.findingsBehind))") }
        let live = state.paused ? " ⏸ PAUSED" + (state.held.isEmpty ? "" : " +\(state.held.count)") + " " : " LIVE "
        // On a narrow screen the later counts give way whole, before the live mark: a
        // number cut short ("checking 75" of 753,120) reads as another number.
        let room = canvas.width - x - DisplayWidth.of(live)
        var counts = " " + parts[0]
        for part in parts.dropFirst() where DisplayWidth.of(counts + " · " + part + " ") <= room { counts += " · " + part }
        x += canvas.put(DisplayWidth.truncate(counts, to: room - 1) + " ", x: x, y: y, style: base)
        let right = (state.message.map { $0 + "  " } ?? "") + live
        let rightWidth = min(DisplayWidth.of(right), max(0, canvas.width - x))
        if state.decodeIssueCount > 0, let last = state.lastDecodeIssue {
            let text = " ⚠ \(state.decodeIssueCount) bad record\(state.decodeIssueCount == 1 ? "" : "s") (line \(last.line): \(last.reason)) "
            let room = canvas.width - x - rightWidth - 1
            if room > 8 { canvas.put(DisplayWidth.truncate(text, to: room), x: x, y: y, style: Style(.statusError)) }
        }
        canvas.put(DisplayWidth.truncate(right, to: rightWidth), x: canvas.width - rightWidth, y: y,
                   style: state.paused ? Style(.statusError) : base)
        drawHints(state, into: &canvas, y: state.layout.hintRow)
    }

    static func drawHints(_ state: AppState, into canvas: inout Canvas, y: Int) {
        if let prompt = state.prompt {
            var x = canvas.put("/", x: 0, y: y, style: Style(.key))
            x += canvas.put(prompt.text, x: x, y: y, style: Style(.text), maxWidth: canvas.width - 30)
            canvas.put("▏", x: x, y: y, style: Style(.accent))
            let info: String
            switch prompt.screen {
            case .services: info = "\(state.services.rows.count) match · Enter keep · Esc clear"
            case .traces: info = "\(state.traces.rows.count) match · >120ms <2s op: svc: is:error · Enter keep · Esc clear"
            case .waterfall: info = "\(state.waterfall?.matchSpans.count ?? 0) match · >5ms >2.5% svc: key=v is:error · H hide others · Esc clear"
            case .insights: info = ""
            }
            canvas.put(info, x: max(x + 2, canvas.width - DisplayWidth.of(info) - 1), y: y, style: Style(.muted))
            return
        }
        var x = 1
        for (key, hint) in KeyMap.hints(for: state.keyContext, canSearch: state.canSearch) {
            let need = DisplayWidth.of(key) + 1 + DisplayWidth.of(hint) + 2
            guard x + need <= canvas.width else { break }
            x += canvas.put(key, x: x, y: y, style: Style(.key))
            x += canvas.put(" " + hint + "  ", x: x, y: y, style: Style(.muted))
        }
    }
}

/// Every binding, generated from the key map.
enum HelpOverlay {
    static let lines: [(String, Style)] = {
        var out: [(String, Style)] = []
        for context in Context.allCases {
            let bindings = KeyMap.bindings.filter { $0.context == context }
            guard !bindings.isEmpty else { continue }
            if !out.isEmpty { out.append(("", Style())) }
            out.append((context.rawValue, Style(.header, bold: true)))
            for b in bindings {
                out.append(("  " + DisplayWidth.pad(b.keys.map(\.label).joined(separator: " "), to: 14) + b.help, Style()))
            }
        }
        out.append(("", Style()))
        out.append(("Trace filter: words match root service, span or id; >120ms <2s op:NAME svc:NAME is:error", Style(.muted)))
        return out
    }()

    static func draw(_ state: AppState, into canvas: inout Canvas) {
        let content = state.layout.content
        let width = min(content.width - 4, 96)
        let height = content.height
        let x = (canvas.width - width) / 2
        let y = content.y
        canvas.fill(x: x, y: y, width: width, height: height, style: Style())
        let border = Style(.border)
        canvas.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, style: border)
        let more = lines.count > height - 2 ? "j/k scroll · " : ""
        canvas.put(" Keys — \(more)any other key closes ", x: x + 2, y: y, style: Style(.accent, bold: true))
        for row in 1..<(height - 1) {
            canvas.put("│", x: x, y: y + row, style: border)
            canvas.put("│", x: x + width - 1, y: y + row, style: border)
            let i = state.help.scroll + row - 1
            if i < lines.count {
                canvas.put(DisplayWidth.truncate(lines[i].0, to: width - 4), x: x + 2, y: y + row, style: lines[i].1)
            }
        }
        canvas.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, style: border)
    }
}
