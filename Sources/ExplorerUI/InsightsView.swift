import TraceInsights
import TraceModel

/// Findings of one rule in one service, across the traces held.
public struct InsightGroup: Sendable, Equatable {
    public var rule: Rule
    public var service: String
    public var severity: Severity
    public var findings: [Finding]
    public var traceCount: Int

    public var id: String { rule.id + "\u{0}" + service }
}

public struct InsightsViewState: Sendable {
    public var groups: [InsightGroup] = []
    public var position = ListPosition()
    /// Set (to a group's id) while the examples of one group are listed.
    public var openRule: String?
    public var examples = ListPosition()

    public var openGroup: InsightGroup? { groups.first { $0.id == openRule } }
}

extension Severity {
    var role: Role {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .info: return .muted
        }
    }

    var mark: String { self == .info ? "○" : "●" }
}

enum InsightsView {
    /// Findings grouped by rule and service, worst and most frequent first.
    static func groups(_ findings: [Finding]) -> [InsightGroup] {
        ordered(Dictionary(grouping: findings, by: { [$0.rule, $0.service] }).compactMap { key, list -> InsightGroup? in
            guard let rule = Rules.rule(key[0]) else { return nil }
            let ordered = list.sorted { byTraceAndSpan($0, $1) }
            return InsightGroup(rule: rule, service: key[1], severity: list[0].severity, findings: ordered,
                                traceCount: Set(list.compactMap(\.traceID)).count)
        })
    }

    /// A group's order: by trace, then span (findings of no trace first).
    @inline(__always)
    static func byTraceAndSpan(_ a: Finding, _ b: Finding) -> Bool {
        orderKey(a) < orderKey(b)
    }

    /// What `byTraceAndSpan` compares.
    @inline(__always)
    static func orderKey(_ finding: Finding) -> (TraceID, SpanID) {
        (finding.traceID ?? TraceID(high: 0, low: 0), finding.spanID ?? .zero)
    }

    /// Worst and most frequent first.
    static func ordered(_ groups: [InsightGroup]) -> [InsightGroup] {
        groups.sorted {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.rule.id != $1.rule.id { return $0.rule.id < $1.rule.id }
            return $0.findings.count != $1.findings.count ? $0.findings.count > $1.findings.count : $0.service < $1.service
        }
    }

    static func draw(_ state: AppState, into canvas: inout Canvas, rect: Rect) {
        let v = state.insights
        let header = Style(.header, bold: true)
        if let group = v.openGroup {
            let title = " \(group.rule.title) in \(group.service) — \(group.rule.guideSection). Fix: \(group.rule.fix)"
            canvas.put(DisplayWidth.truncate(title, to: rect.width), x: rect.x, y: rect.y, style: header)
            let serviceWidth = 16, nameWidth = max(16, rect.width / 4)
            Table.drawVisibleRows(group.findings, position: v.examples, rect: rect, canvas: &canvas) { f, y, selected, canvas in
                var x = rect.x + 1
                x += canvas.put(DisplayWidth.pad(String((f.traceID?.hex ?? "-").prefix(12)), to: 13), x: x, y: y, style: selected ?? Style(.muted))
                let slot = state.servicePalette[f.service] ?? 1
                x += canvas.put(DisplayWidth.pad(f.service, to: serviceWidth) + " ", x: x, y: y, style: selected ?? Style(.service(slot)))
                x += canvas.put(DisplayWidth.pad(f.spanName, to: nameWidth) + " ", x: x, y: y, style: selected ?? Style())
                canvas.put(DisplayWidth.truncate(f.message, to: rect.x + rect.width - x), x: x, y: y, style: selected ?? Style(f.severity.role))
            }
            return
        }
        let countWidth = 9, traceWidth = 8, serviceWidth = 16
        // The title goes first when the terminal is narrow; the rule id says it too.
        let titleWidth = rect.width >= 100 ? rect.width - 3 - 30 - serviceWidth - countWidth - traceWidth - 2 : 0
        canvas.put("   " + DisplayWidth.pad("RULE", to: 30) + DisplayWidth.pad("SERVICE", to: serviceWidth) + DisplayWidth.pad("TITLE", to: titleWidth)
            + DisplayWidth.pad("FINDINGS", to: countWidth, alignRight: true) + DisplayWidth.pad("TRACES", to: traceWidth, alignRight: true),
            x: rect.x, y: rect.y, style: header)
        if v.groups.isEmpty {
            let text = state.store.spanCount == 0 ? "No spans yet" : "No findings: these traces follow the tracing guide"
            Table.emptyMessage(&canvas, text, rect: Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1))
            return
        }
        Table.drawVisibleRows(v.groups, position: v.position, rect: rect, canvas: &canvas) { g, y, selected, canvas in
            var x = rect.x + 1
            x += canvas.put(g.severity.mark + " ", x: x, y: y, style: selected ?? Style(g.severity.role, bold: true))
            x += canvas.put(DisplayWidth.pad(g.rule.id, to: 30), x: x, y: y, style: selected ?? Style(g.severity.role))
            let slot = state.servicePalette[g.service] ?? 1
            x += canvas.put(DisplayWidth.pad(g.service, to: serviceWidth - 1) + " ", x: x, y: y, style: selected ?? Style(.service(slot)))
            x += canvas.put(DisplayWidth.pad(g.rule.title, to: titleWidth), x: x, y: y, style: selected ?? Style())
            x += canvas.put(DisplayWidth.pad(Table.count(g.findings.count, width: countWidth), to: countWidth, alignRight: true), x: x, y: y, style: selected ?? Style())
            canvas.put(DisplayWidth.pad(Table.count(g.traceCount, width: traceWidth), to: traceWidth, alignRight: true), x: x, y: y, style: selected ?? Style(.muted))
        }
    }
}
