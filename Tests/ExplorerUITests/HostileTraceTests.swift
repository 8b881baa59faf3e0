import Foundation
import ReliabilityLedger
import Testing
import TraceInsights
import TraceModel
import TraceSources
@testable import ExplorerUI

/// Traces whose shape is broken (parent cycles, self-parents, missing parents,
/// duplicate exports, ends before starts, children before their parents) and text
/// written to attack the terminal. Every span stays visible exactly once, nothing is
/// mis-drawn, and no control character reaches a cell of any screen.
@Suite struct HostileTraceTests {
    /// Walks every screen a user reaches for a trace and returns every drawn canvas.
    static func screens(_ spans: [Span], width: Int = 100, height: Int = 30) -> [Canvas] {
        var s = AppState(store: TraceStore(), sourceName: "hostile", width: width, height: height)
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        var out = [render(s)]
        s.press(.char("t"))
        out.append(render(s))
        for id in Set(spans.map(\.traceID)) {
            s.openTrace(id)
            out.append(render(s))
            for _ in 0..<min(12, spans.count) {
                s.press(.down)
                out.append(render(s))
                s.press(.tab, .end)
                out.append(render(s))
                s.press(.tab)
            }
        }
        s.press(.char("i"))
        out.append(render(s))
        return out
    }

    // MARK: broken shapes

    /// Random traces with parents drawn from: none, a real span, itself, a missing id,
    /// and cycles; some spans exported twice, some ending before they start, children
    /// starting before their parents.
    @Test func brokenShapesShowEverySpanExactlyOnce() {
        var rng = DemoRandom(seed: 0xC1C1E)
        var cases = 0, handled = 0
        var kinds: [String: Int] = [:]
        for t in 0..<400 {
            let n = 1 + rng.below(60)
            var spans: [Span] = []
            for i in 0..<n {
                let id = String(format: "%x", i + 1)
                var parent = ""
                switch rng.below(7) {
                case 0: parent = ""
                case 1: parent = id; kinds["self-parent", default: 0] += 1
                case 2: parent = "dead\(rng.below(3))"; kinds["missing parent", default: 0] += 1
                default: parent = String(format: "%x", 1 + rng.below(n))  // forwards too: cycles
                }
                var start = Int64(rng.below(1_000)), end = start + Int64(rng.below(500))
                if rng.below(10) == 0 { swap(&start, &end); kinds["end before start", default: 0] += 1 }
                spans.append(span(String(format: "%x", t + 1), id, parent: parent, name: "op\(rng.below(4))",
                                  service: "svc\(rng.below(3))", start: start, end: end, error: rng.below(8) == 0))
            }
            // Re-exports: a few spans sent again, some with new times.
            for _ in 0..<rng.below(4) {
                var again = spans[rng.below(spans.count)]
                if rng.below(2) == 0 { again.endTime += 7 }
                spans.append(again)
                kinds["duplicate export", default: 0] += 1
            }
            let trace = Trace(id: spans[0].traceID, spans: spans)
            let tree = TraceTree(trace: trace)
            var options = WaterfallOptions()
            options.runsExpandedByDefault = true
            let rows = WaterfallLayout.rows(trace: trace, tree: tree, options: options)
            var seen = [Int](repeating: 0, count: trace.spanCount)
            for row in rows {
                switch row.kind {
                case .span(let i): seen[i] += 1
                case .run(let members): for m in members { seen[m] += 1 }
                case .missingParent: break
                }
            }
            cases += 1
            let unique = Set(spans.map(\.spanID)).count
            if trace.spanCount == unique, seen.allSatisfy({ $0 == 1 }), trace.duration >= 0 { handled += 1 }
        }
        #expect(handled == cases)
        #expect(kinds.count == 4, "\(kinds)")
        let row = ReliabilityRow(area: "Trace shape", kind: "Cycles, self-parents, missing parents, re-exports, end before start",
                                 cases: cases, outcome: ReliabilityRow.outcome(handled: handled, of: cases) + ", every span shown once",
                                 test: "HostileTraceTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    /// A child that starts before its parent is drawn at its own times, marked in the
    /// gutter and explained in the detail.
    @Test func clockSkewIsShownAndMarked() throws {
        let spans = [
            span("5", "1", name: "checkout", service: "web", start: 1_000_000, end: 9_000_000),
            span("5", "2", parent: "1", name: "charge", service: "payment", start: 0, end: 4_000_000),
        ]
        var s = AppState(store: TraceStore(), sourceName: "t", width: 120, height: 20)
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("5")!)
        s.press(.down)
        let screen = render(s).text
        let lines = screen.split(separator: "\n").map(String.init)
        let parent = try #require(lines.first { $0.contains("checkout") && $0.contains("web ") }, "\(screen)")
        let child = try #require(lines.first { $0.contains("charge") && $0.contains("payment ") }, "\(screen)")
        // The child's bar starts at the left edge of the axis, the parent's later.
        let bar: (String) -> Int? = { line in line.firstIndex(where: { "█▌▐▏▎▍▋▊▉".contains($0) }).map { line.distance(from: line.startIndex, to: $0) } }
        #expect(try #require(bar(child), "\(screen)") < #require(bar(parent)), "\(screen)")
        #expect(child.dropFirst().hasPrefix(Severity.warning.mark), "gutter mark: \(child)")
        let w = try #require(s.waterfall)
        let detail = DetailView.lines(for: w.selectedSpan!, in: w.trace, width: 100, findings: w.findings[w.selectedSpan!.spanID] ?? [])
        #expect(detail.contains { $0.text.contains("starts 1ms before its parent \"checkout\" (web → payment)") }, "\(detail.map(\.text))")
        let cases = 1
        let row = ReliabilityRow(area: "Trace shape", kind: "Child starts before its parent (clock skew)", cases: cases,
                                 outcome: "drawn at its own times, marked, explained", test: "HostileTraceTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    /// A trace that alone would exceed the span budget keeps the budget's worth and
    /// counts the rest; it is not evicted by its own growth.
    @Test func perTraceCapCountsWhatItDoesNotKeep() {
        var store = TraceStore(maxSpans: 1_000)
        store.add((1...1_500).map { span("7", String(format: "%x", $0), parent: $0 == 1 ? "" : "1", name: "op", start: 0, end: 1) })
        store.add(span("7", "1", name: "root again", start: 0, end: 2))
        #expect(store.trace(TraceID("7")!)?.spanCount == 1_000)
        #expect(store.trace(TraceID("7")!)?.spansOverCap == 500)
        #expect(store.trace(TraceID("7")!)?.spans[0].name == "root again", "re-exports of kept spans still merge")
        var s = AppState(store: store, sourceName: "t", width: 160, height: 20)
        s.update(.tick(milliseconds: 1_000))
        #expect(render(s).text.contains("500 over the per-trace cap"))
        s.openTrace(TraceID("7")!)
        #expect(render(s).text.contains("SPAN · ⚠ 500 not kept: over cap"))
        let row = ReliabilityRow(area: "Trace shape", kind: "One trace over the span budget", cases: 1_500,
                                 outcome: "1,000 kept, 500 counted on screen, trace not evicted", test: "HostileTraceTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    // MARK: text that attacks the terminal

    static let hostileText: [String] = [
        "\u{1B}]0;PWNED\u{07}", "\u{1B}]2;PWNED\u{1B}\\", "\u{1B}]52;c;cm0gLXJmIH4=\u{07}", "\u{1B}[2J\u{1B}[H",
        "\u{1B}[31mred\u{1B}[0m", "\u{1B}P+q544e\u{1B}\\", "\u{9B}2J", "\u{9D}0;title\u{9C}", "a\u{08}\u{08}b", "\r\noverwrite",
        "line\u{2028}sep", "\u{202E}txt.exe", "abc\u{2066}def\u{2069}", "zero\u{200B}width\u{200D}", "\u{FEFF}bom",
        "\u{0}nul", "\u{7F}del", "tab\there", "\u{E0041}tag", "e\u{301}\u{301}\u{301}\u{301}", "𝕏 wide 世界 ✔︎",
        String(repeating: "\u{1B}[", count: 500), String(repeating: "界", count: 300),
    ]

    @Test func controlSequencesInEveryFieldNeverReachTheScreen() {
        var cases = 0, handled = 0
        for (k, text) in Self.hostileText.enumerated() {
            let id = String(format: "%x", k + 1)
            let root = Span(traceID: TraceID("a\(id)")!, spanID: SpanID("1")!, parentSpanID: .zero, name: text, kind: .server,
                            startTime: 0, endTime: 10_000_000, status: SpanStatus(code: .error, message: text),
                            attributes: [Attribute(text, .string(text)), Attribute("list", .array([.string(text)])),
                                         Attribute("map", .keyValueList([Attribute(text, .string(text))]))],
                            events: [SpanEvent(time: 5, name: text, attributes: [Attribute(text, .string(text))])],
                            links: [SpanLink(traceID: TraceID("b")!, spanID: SpanID("2")!, attributes: [Attribute(text, .string(text))])],
                            resource: Resource(attributes: [Attribute("service.name", .string(text)), Attribute(text, .string(text))]),
                            scope: InstrumentationScope(name: text, version: text), traceState: text)
            let child = span("a\(id)", "2", parent: "1", name: text, service: text, start: 1, end: 2)
            for width in [100, 61] {
                for canvas in Self.screens([root, child], width: width, height: 24) {
                    cases += 1
                    let found = canvas.controlCharacterCells
                    if found.isEmpty { handled += 1 } else { Issue.record("\(text.debugDescription): \(found.prefix(3))\n\(canvas.text)") }
                }
            }
        }
        #expect(handled == cases)
        let row = ReliabilityRow(area: "Terminal", kind: "CSI, OSC (title, OSC 52), DCS, C1, bidi, zero-width, tags in every text field",
                                 cases: cases, outcome: "\(handled) of \(cases) screens with no control character in any cell",
                                 test: "HostileTraceTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }
}
