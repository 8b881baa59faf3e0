import Testing
import TraceInsights
import TraceModel
import TraceSources
@testable import ExplorerUI

@Suite struct InsightsViewTests {
    func demoState() -> AppState {
        var traffic = DemoTraffic(seed: 11)
        var store = TraceStore()
        for i in 0..<120 { store.add(traffic.trace(startingAt: 1_000_000_000_000 + Int64(i) * 1_000_000_000)) }
        return AppState(store: store, sourceName: "demo", width: 120, height: 32)
    }

    @Test func groupsThenExamplesThenTheSpanInItsTrace() throws {
        var s = demoState()
        s.press(.char("i"))
        #expect(s.screen == .insights)
        let groups = s.insights.groups
        #expect(groups.first?.severity == .error, "worst first")
        let ruleIDs = groups.map(\.rule.id)
        #expect(ruleIDs.contains("span-name-generic") && ruleIDs.contains("sensitive-key"))
        let target = try #require(ruleIDs.firstIndex(of: "sensitive-key"))
        for _ in 0..<target { s.press(.down) }
        s.press(.enter)
        #expect(s.insights.openGroup?.rule.id == "sensitive-key" && s.insights.openGroup?.service == "payment")
        let example = try #require(s.insights.openGroup?.findings.first)
        s.press(.enter)
        #expect(s.screen == .waterfall)
        #expect(s.waterfall?.traceID == example.traceID)
        #expect(s.waterfall?.selectedSpan?.spanID == example.spanID)
        #expect(s.waterfall?.selectedSpan?.name == "payment.charge")
        #expect(render(s).text.contains("Attribute key names a secret"), "the detail lists the span's findings")
        s.press(.escape, .escape, .escape)
        #expect(s.screen == .services)
    }

    @Test func liveCountsUpdate() {
        var s = demoState()
        s.press(.char("i"))
        let before = s.insights.groups.filter { $0.rule.id == "span-name-generic" }.reduce(0) { $0 + $1.findings.count }
        var traffic = DemoTraffic(seed: 99)
        var more: [Span] = []
        for i in 0..<60 { more += traffic.trace(startingAt: 9_000_000_000_000 + Int64(i) * 1_000_000_000) }
        s.update(.spans(more))
        s.update(.tick(milliseconds: 1))
        let after = s.insights.groups.filter { $0.rule.id == "span-name-generic" }.reduce(0) { $0 + $1.findings.count }
        #expect(after > before)
    }

    @Test func insightsGolden() {
        var s = demoState()
        s.press(.char("i"))
        expectGolden(render(s), "insights-120x32")
        s.press(.enter)
        expectGolden(render(s), "insights-examples-120x32")
    }

    @Test func servicesShowFindingCounts() {
        let s = demoState()
        let text = render(s).text
        #expect(text.contains("FINDINGS"))
        let payment = text.split(separator: "\n").first { $0.hasPrefix(" payment ") }
        #expect(payment?.contains("E") == true, "the card number attribute is an error finding")
    }

    @Test func aTraceThatChangesIsCheckedAgain() {
        var store = TraceStore()
        store.add(span("a1", "1", name: "GET /ok", service: "api", start: 0, end: 10))
        var s = AppState(store: store, sourceName: "t", width: 120, height: 32)
        s.press(.char("i"))
        #expect(!s.insights.groups.contains { $0.rule.id == "span-name-generic" })
        // The same trace gains a span with a generic name: its cached findings are stale.
        s.update(.spans([span("a1", "2", parent: "1", name: "handler", service: "api", start: 1, end: 5)]))
        s.update(.tick(milliseconds: 1))
        #expect(s.insights.groups.first { $0.rule.id == "span-name-generic" }?.findings.map(\.spanName) == ["handler"])
    }
}
