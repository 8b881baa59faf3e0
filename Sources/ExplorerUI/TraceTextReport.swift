import TraceModel

/// Plain-text renderings for `spanscope show`: used in pipes and CI logs, so colour
/// only when asked (stdout is a terminal).
public struct TraceTextReport {
    public var color: Bool
    public var width: Int

    public init(color: Bool = false, width: Int = 120) {
        self.color = color
        self.width = max(60, width)
    }

    private func paint(_ s: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s
    }

    /// The trace list: id, root service, root span, start, duration, spans, errors.
    public func traceList(_ summaries: [TraceSummary]) -> String {
        // Columns fit their content; names get what the other columns leave.
        let serviceWidth = min(24, max(12, summaries.map { DisplayWidth.of(SafeText.sanitize($0.rootService)) }.max() ?? 0))
        let longest = summaries.map { DisplayWidth.of(SafeText.sanitize($0.rootName)) + ($0.hasRoot ? 0 : 2) }.max() ?? 0
        let nameWidth = min(max(9, longest), max(16, width - 33 - serviceWidth - 1 - 24 - 24 - 1))
        var lines = [
            paint(DisplayWidth.pad("TRACE ID", to: 33) + DisplayWidth.pad("ROOT SERVICE", to: serviceWidth + 1)
                + DisplayWidth.pad("ROOT SPAN", to: nameWidth + 1) + DisplayWidth.pad("START (UTC)", to: 24)
                + DisplayWidth.pad("DURATION", to: 10, alignRight: true) + DisplayWidth.pad("SPANS", to: 7, alignRight: true)
                + DisplayWidth.pad("ERRORS", to: 7, alignRight: true), "1"),
        ]
        for s in summaries {
            let root = s.hasRoot ? s.rootName : "⚠ " + s.rootName
            let errors = DisplayWidth.pad(String(s.errorCount), to: 7, alignRight: true)
            lines.append(
                s.traceID.hex + " " + DisplayWidth.pad(SafeText.sanitize(s.rootService), to: serviceWidth) + " "
                    + DisplayWidth.pad(SafeText.sanitize(root), to: nameWidth) + " "
                    + DisplayWidth.pad(TimeFormat.dateTime(s.startTime), to: 24)
                    + DisplayWidth.pad(DurationFormat.format(s.duration), to: 10, alignRight: true)
                    + DisplayWidth.pad(String(s.spanCount), to: 7, alignRight: true)
                    + (s.errorCount > 0 ? paint(errors, "31") : errors))
        }
        lines.append("\(summaries.count) trace\(summaries.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One trace as a waterfall: tree, service, name, start offset, duration, bar, errors.
    public func waterfall(_ trace: Trace) -> String {
        let tree = trace.tree()
        var options = WaterfallOptions()
        options.runThreshold = .max  // text output lists every span
        let rows = WaterfallLayout.rows(trace: trace, tree: tree, options: options)
        let barWidth = max(10, min(40, width / 4))
        let serviceWidth = min(20, max(8, trace.services.map { DisplayWidth.of(SafeText.sanitize($0)) }.max() ?? 8))
        let longest = rows.indices.map { i -> Int in
            let label: String
            switch rows[i].kind {
            case .span(let s): label = SafeText.sanitize(trace.spans[s].name) + (trace.spans[s].isError ? " ✗" : "")
            case .missingParent: label = "⚠ missing parent 0123456789abcdef"
            case .run: label = ""  // runs are not grouped in text output
            }
            return DisplayWidth.of(WaterfallLayout.guide(for: i, in: rows)) + DisplayWidth.of(label)
        }.max() ?? 0
        let nameWidth = min(max(16, longest), max(16, width - serviceWidth - barWidth - 10 - 10 - 6))
        let root = trace.rootSpan
        var header = "Trace \(trace.id.hex)"
        if let root {
            header += "  \(SafeText.sanitize(root.serviceName)): \(SafeText.sanitize(root.name))"
        }
        var lines = [paint(header, "1")]
        lines.append("Started \(TimeFormat.dateTime(trace.startTime == .max ? 0 : trace.startTime)) UTC · "
            + "duration \(DurationFormat.format(trace.duration)) · \(trace.spanCount) span\(trace.spanCount == 1 ? "" : "s") · "
            + "\(trace.services.count) service\(trace.services.count == 1 ? "" : "s") · "
            + "\(trace.errorCount) error\(trace.errorCount == 1 ? "" : "s")"
            + (trace.orphanCount > 0 ? " · \(trace.orphanCount) orphan\(trace.orphanCount == 1 ? "" : "s")" : ""))
        lines.append(paint(DisplayWidth.pad("SPAN", to: nameWidth + 1) + DisplayWidth.pad("SERVICE", to: serviceWidth + 1)
            + DisplayWidth.pad("START", to: 10, alignRight: true) + DisplayWidth.pad("DURATION", to: 10, alignRight: true)
            + "  TIMELINE", "1"))
        let scale = TimeScale(start: trace.startTime, end: trace.endTime)
        for (i, row) in rows.enumerated() {
            let guide = WaterfallLayout.guide(for: i, in: rows)
            switch row.kind {
            case .missingParent(let id, let isCycle):
                let label = isCycle ? "⟳ parent cycle through \(id.hex)" : "⚠ missing parent \(id.hex)"
                lines.append(paint(DisplayWidth.pad(guide + label, to: nameWidth), "33"))
            case .run:
                break
            case .span(let index):
                let span = trace.spans[index]
                let mark = span.isError ? " ✗" : ""
                var name = DisplayWidth.pad(guide + SafeText.sanitize(span.name) + mark, to: nameWidth)
                if span.isError { name = paint(name, "31") }
                let offset = span.startTime &- trace.startTime
                let bar = "│" + scale.bar(start: span.startTime, end: span.endTime, width: barWidth) + "│"
                lines.append(name + " " + DisplayWidth.pad(SafeText.sanitize(span.serviceName), to: serviceWidth) + " "
                    + DisplayWidth.pad(DurationFormat.format(offset), to: 10, alignRight: true)
                    + DisplayWidth.pad(DurationFormat.format(span.duration), to: 10, alignRight: true)
                    + "  " + (span.isError ? paint(bar, "31") : bar))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
