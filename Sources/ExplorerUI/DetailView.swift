import TraceInsights
import TraceModel

/// One line of the span detail: styled pieces, and what `y` copies from it.
public struct DetailLine: Sendable {
    public var pieces: [(String, Style)]
    public var copyValue: String?

    init(_ pieces: [(String, Style)], copy: String? = nil) {
        self.pieces = pieces
        copyValue = copy
    }

    public var text: String { pieces.map(\.0).joined() }
}

/// Everything about one span, nothing cut off: long values wrap onto more lines and
/// the pane scrolls.
public enum DetailView {
    /// With `redact`, secret-looking values are masked (and not copyable); a line under
    /// the title says how many and how to reveal them.
    public static func lines(for span: Span, in trace: Trace, width: Int, findings: [Finding] = [], redact: Bool = true,
                                    config: InsightConfig = InsightConfig()) -> [DetailLine] {
        let width = max(20, width - 1)
        var out: [DetailLine] = []
        let label = Style(.muted)
        func field(_ name: String, _ value: String, _ style: Style = Style(), copy: String? = nil) {
            wrap(key: DisplayWidth.pad(name, to: 10), value: value, style: style, width: width, copy: copy ?? value, into: &out)
        }
        out.append(DetailLine([(span.name, Style(.text, bold: true))], copy: span.name))
        // Values masked below, counted as they are written; the notice goes under the title.
        var hidden = 0
        field("service", span.serviceName, Style(.accent))
        field("kind", span.kind.name)
        var status = span.status.code.name.uppercased()
        if !span.status.message.isEmpty { status += " — " + span.status.message }
        field("status", status, Style(span.isError ? .error : span.status.code == .ok ? .ok : .text))
        field("trace id", span.traceID.hex)
        field("span id", span.spanID.hex)
        if span.hasParent {
            field("parent", span.parentSpanID.hex + (trace.isOrphan(span) ? "  (missing: orphan)" : ""),
                  Style(trace.isOrphan(span) ? .warning : .text), copy: span.parentSpanID.hex)
        }
        field("start", "+" + DurationFormat.format(span.startTime &- trace.startTime) + "  at " + TimeFormat.dateTime(span.startTime) + " UTC")
        field("duration", span.isUnended ? "never ended (no end time)" : DurationFormat.format(span.duration),
              Style(span.isUnended ? .warning : .text))
        if !span.scope.name.isEmpty {
            field("scope", span.scope.name + (span.scope.version.isEmpty ? "" : " " + span.scope.version))
        }
        if !span.traceState.isEmpty { field("tracestate", span.traceState) }
        if !findings.isEmpty {
            out.append(heading("Findings (\(findings.count))", width: width))
            for f in findings.sorted(by: { $0.severity > $1.severity }) {
                let rule = Rules.rule(f.rule)
                out.append(DetailLine([(f.severity.mark + " ", Style(f.severity.role, bold: true)),
                                       (rule?.title ?? f.rule, Style(f.severity.role, bold: true))], copy: f.rule))
                for (text, style) in [(f.message, Style()), (rule.map { "Why: " + $0.explanation + " (guide: " + $0.guideSection + ")" } ?? "", Style(.muted)),
                                      (rule.map { "Fix: " + $0.fix } ?? "", Style(.ok))] where !text.isEmpty {
                    for line in wordWrapped(text, width: width - 2) { out.append(DetailLine([("  " + line, style)], copy: f.rule)) }
                }
            }
        }
        section("Attributes", span.attributes, width: width, redact: redact, config: config, hidden: &hidden, into: &out)
        section("Resource", span.resource.attributes, width: width, redact: redact, config: config, hidden: &hidden, into: &out)
        if !span.events.isEmpty {
            out.append(heading("Events (\(span.events.count))", width: width))
            for event in span.events.sorted(by: { $0.time < $1.time }) {
                let offset = "+" + DurationFormat.format(event.time &- span.startTime)
                out.append(DetailLine([(DisplayWidth.pad(offset, to: 10), label), (event.name, Style(event.name == "exception" ? .error : .text, bold: true))],
                                      copy: event.name))
                attributeLines(event.attributes, indent: 4, width: width, redact: redact, config: config, hidden: &hidden, into: &out)
            }
        }
        if !span.links.isEmpty {
            out.append(heading("Links (\(span.links.count))", width: width))
            for link in span.links {
                out.append(DetailLine([("trace ", label), (link.traceID.hex, Style()), (" span ", label), (link.spanID.hex, Style())],
                                      copy: link.traceID.hex))
                attributeLines(link.attributes, indent: 4, width: width, redact: redact, config: config, hidden: &hidden, into: &out)
            }
        }
        if hidden > 0 {
            out.insert(DetailLine([("⊘ \(hidden) secret-looking value\(hidden == 1 ? "" : "s") hidden · R reveals them for this span", Style(.warning))]), at: 1)
        }
        return out
    }

    private static func heading(_ title: String, width: Int) -> DetailLine {
        let text = "── " + title + " "
        return DetailLine([(text + String(repeating: "─", count: max(0, width - DisplayWidth.of(text))), Style(.header, bold: true))])
    }

    private static func section(_ title: String, _ attributes: some Collection<Attribute>, width: Int, redact: Bool, config: InsightConfig, hidden: inout Int,
                                into out: inout [DetailLine]) {
        guard !attributes.isEmpty else { return }
        out.append(heading("\(title) (\(attributes.count))", width: width))
        attributeLines(attributes, indent: 0, width: width, redact: redact, config: config, hidden: &hidden, into: &out)
    }

    /// Sorted by key; `key  value  type`, values wrapped under themselves.
    private static func attributeLines(_ attributes: some Collection<Attribute>, indent: Int, width: Int, redact: Bool, config: InsightConfig, hidden: inout Int,
                                       into out: inout [DetailLine]) {
        let sorted = attributes.sorted { $0.key < $1.key }
        let keyWidth = min(max(8, sorted.map { DisplayWidth.of(SafeText.sanitize($0.key)) }.max() ?? 8), width / 2)
        for a in sorted {
            if redact, let mask = Redaction.mask(key: a.key, value: a.value, config: config) {
                hidden += 1
                wrap(key: String(repeating: " ", count: indent) + DisplayWidth.pad(a.key, to: keyWidth), value: mask + "  ", style: Style(.warning),
                     width: width, copy: nil, suffix: (a.value.typeName, Style(.muted)), into: &out)
                continue
            }
            let value = a.value.displayText
            let style: Style
            switch a.value {
            case .string: style = Style()
            case .bool, .int, .double: style = Style(.accent)
            default: style = Style(.ok)
            }
            wrap(key: String(repeating: " ", count: indent) + DisplayWidth.pad(a.key, to: keyWidth), value: value + "  ", style: style,
                 width: width, copy: value, suffix: (a.value.typeName, Style(.muted)), into: &out)
        }
    }

    /// `key value`, the value wrapped to the width under its own first column.
    private static func wrap(key: String, value: String, style: Style, width: Int, copy: String?,
                             suffix: (String, Style)? = nil, into out: inout [DetailLine]) {
        let keyWidth = DisplayWidth.of(key) + 1
        let room = max(8, width - keyWidth)
        let chunks = chunked(SafeText.sanitize(value) + (suffix?.0 ?? ""), width: room)
        let suffixLength = suffix.map { $0.0.count } ?? 0
        for (n, chunk) in chunks.enumerated() {
            var pieces: [(String, Style)] = [(n == 0 ? key + " " : String(repeating: " ", count: keyWidth), Style(.muted))]
            // The type name trails the value on its last line, in its own style.
            if n == chunks.count - 1, let suffix, chunk.count >= suffixLength {
                pieces.append((String(chunk.dropLast(suffixLength)), style))
                pieces.append((suffix.0, suffix.1))
            } else {
                pieces.append((chunk, style))
            }
            out.append(DetailLine(pieces, copy: copy))
        }
    }

    /// Splits text into pieces of at most `width` columns (by grapheme width).
    static func chunked(_ text: String, width: Int) -> [String] {
        var chunks: [String] = []
        var current = ""
        var used = 0
        for c in text {
            let w = DisplayWidth.of(c)
            if used + w > width {
                chunks.append(current)
                current = ""
                used = 0
            }
            current.append(c)
            used += w
        }
        chunks.append(current)
        return chunks
    }

    /// Prose wrapped at spaces (a word longer than the width is split).
    static func wordWrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ").map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if DisplayWidth.of(candidate) <= width {
                current = candidate
            } else {
                if !current.isEmpty { lines.append(current) }
                let pieces = chunked(word, width: width)
                lines += pieces.dropLast()
                current = pieces.last ?? ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// What a folded run of alike siblings adds up to.
    static func runSummary(name: String, service: String, _ stats: RunStats, in trace: Trace, width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = [
            ("\(name) ×\(stats.count)", Style(.text, bold: true)),
            ("service   " + service, Style(.accent)),
            ("spans     \(stats.count) siblings in a row with the same service and name", Style()),
            ("total     " + DurationFormat.format(stats.total) + "  (sum of durations)", Style()),
            ("wall      " + DurationFormat.format(stats.end - stats.start) + "  from +" + DurationFormat.format(stats.start - trace.startTime), Style()),
            ("min       " + DurationFormat.format(stats.shortest), Style()),
            ("median    " + DurationFormat.format(stats.median), Style()),
            ("p95       " + DurationFormat.format(stats.p95), Style()),
            ("max       " + DurationFormat.format(stats.longest), Style()),
            ("errors    \(stats.errors)", Style(stats.errors > 0 ? .error : .text)),
            ("", Style()),
        ]
        for line in wordWrapped("Space or → expands the run; each span then has its own row and detail.", width: width) {
            out.append((line, Style(.muted)))
        }
        return out
    }

    static func draw(_ state: AppState, _ w: WaterfallViewState, into canvas: inout Canvas, pane: Rect) {
        let focused = w.focus == .detail
        let titleStyle = Style(focused ? .accent : .border, bold: focused)
        let title = "── Span detail " + (focused ? "(Tab: back to waterfall, y: copy) " : "(Enter/Tab to focus) ")
        canvas.put(title + String(repeating: "─", count: max(0, pane.width - DisplayWidth.of(title))), x: pane.x, y: pane.y,
                   style: titleStyle, maxWidth: pane.width)
        guard let span = w.selectedSpan else {
            if w.position.cursor < w.rows.count, case .run(let members) = w.rows[w.position.cursor].kind,
               let stats = w.rows[w.position.cursor].run {
                let first = w.trace.spans[members[0]]
                let summary = runSummary(name: first.name, service: first.serviceName, stats, in: w.trace, width: pane.width - 2)
                for (i, line) in summary.enumerated() where i < pane.height - 1 {
                    canvas.put(line.0, x: pane.x + 1, y: pane.y + 1 + i, style: line.1, maxWidth: pane.width - 2)
                }
            }
            if w.position.cursor < w.rows.count, case .missingParent(let id, let isCycle) = w.rows[w.position.cursor].kind {
                let text = isCycle
                    ? "These spans name each other as parents (a cycle); the cycle was cut here so every span stays visible."
                    : "Span \(id.hex) never arrived: its children are orphans. Context was probably not propagated across a process or thread boundary, or the parent was never exported."
                for (i, line) in wordWrapped(text, width: pane.width - 2).enumerated() where i < pane.height - 1 {
                    canvas.put(line, x: pane.x + 1, y: pane.y + 1 + i, style: Style(.warning))
                }
            }
            return
        }
        let lines = lines(for: span, in: w.trace, width: pane.width, findings: w.findings[span.spanID] ?? [], redact: state.redacts(span),
                          config: state.insightConfig)
        for row in 0..<(pane.height - 1) {
            let i = w.detail.scroll + row
            guard i < lines.count else { break }
            let y = pane.y + 1 + row
            let isCursor = focused && i == w.detail.cursor
            if isCursor { canvas.fill(x: pane.x, y: y, width: pane.width, style: Style(.cursor)) }
            var x = pane.x + 1
            for (text, style) in lines[i].pieces {
                x += canvas.put(text, x: x, y: y, style: isCursor ? Style(.cursor) : style, maxWidth: pane.x + pane.width - x)
            }
        }
        if lines.count > pane.height - 1 {
            let label = " \(w.detail.scroll + 1)–\(min(lines.count, w.detail.scroll + pane.height - 1))/\(lines.count) "
            canvas.put(label, x: pane.x + pane.width - DisplayWidth.of(label) - 1, y: pane.y, style: titleStyle)
        }
    }
}
