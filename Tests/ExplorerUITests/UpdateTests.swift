import Testing
import TraceModel
@testable import ExplorerUI

@Suite struct UpdateTests {
    /// Three services, five traces with distinct start times.
    func sample() -> AppState {
        var store = TraceStore()
        for i in 1...5 {
            let t = String(i, radix: 16)
            store.add([
                span(t, "1", name: "GET /r\(i)", service: "gateway", start: Int64(i) * 1_000_000_000, end: Int64(i) * 1_000_000_000 + Int64(i) * 10_000_000),
                span(t, "2", parent: "1", name: "db", service: i % 2 == 0 ? "orders" : "users",
                     start: Int64(i) * 1_000_000_000 + 1_000_000, end: Int64(i) * 1_000_000_000 + 5_000_000, error: i == 3),
                span(t, "3", parent: "2", name: "row", service: "users", start: Int64(i) * 1_000_000_000 + 2_000_000,
                     end: Int64(i) * 1_000_000_000 + 3_000_000),
            ])
        }
        return AppState(store: store, sourceName: "t", width: 100, height: 30)
    }

    @Test func drillsDownAndBack() {
        var s = sample()
        #expect(s.screen == .services)
        #expect(s.services.rows.map(\.name) == ["gateway", "orders", "users"])
        s.press(.enter)
        #expect(s.screen == .traces)
        #expect(s.traces.service == "gateway")
        #expect(s.traces.rows.map(\.rootName) == ["GET /r5", "GET /r4", "GET /r3", "GET /r2", "GET /r1"])
        s.press(.char("j"), .enter)
        #expect(s.screen == .waterfall)
        #expect(s.waterfall?.traceID == TraceID("4"))
        #expect(s.waterfall?.rows.count == 3)
        s.press(.enter)
        #expect(s.waterfall?.focus == .detail)
        s.press(.escape)
        #expect(s.waterfall?.focus == .waterfall)
        s.press(.escape)
        #expect(s.screen == .traces)
        #expect(s.traces.rows[s.traces.position.cursor].rootName == "GET /r4")
        s.press(.backspace)
        #expect(s.screen == .services)
    }

    @Test func movementClampsAndPages() {
        var s = sample()
        s.press(.char("t"))
        s.press(.char("G"))
        #expect(s.traces.position.cursor == 4)
        s.press(.down)
        #expect(s.traces.position.cursor == 4)
        s.press(.char("g"))
        #expect(s.traces.position.cursor == 0)
        s.press(.pageDown)
        #expect(s.traces.position.cursor == 4)
        s.press(.up, .char("k"))
        #expect(s.traces.position.cursor == 2)
    }

    @Test func collapseExpandAndParentJump() {
        var s = sample()
        s.press(.char("t"), .enter)
        #expect(s.waterfall?.rows.count == 3)
        s.press(.char(" "))
        #expect(s.waterfall?.rows.count == 1)
        #expect(s.waterfall?.rows[0].hiddenDescendants == 2)
        s.press(.char("l"))
        #expect(s.waterfall?.rows.count == 3)
        s.press(.down, .down)
        s.press(.char("h"))
        #expect(s.waterfall?.position.cursor == 1, "h on a leaf goes to its parent")
        s.press(.char("h"))
        #expect(s.waterfall?.rows.count == 2)
        s.press(.char("c"))
        #expect(s.waterfall?.rows.count == 1)
        #expect(s.waterfall?.position.cursor == 0, "the cursor follows its span into the collapsed ancestor")
        s.press(.char("e"))
        #expect(s.waterfall?.rows.count == 3)
    }

    @Test func listFilterNarrowsLiveEnterKeepsEscClears() {
        var s = sample()
        s.press(.char("t"), .char("/"))
        s.type("r3")
        #expect(s.traces.rows.map(\.rootName) == ["GET /r3"])
        s.press(.enter)
        #expect(s.prompt == nil)
        #expect(s.traces.query == "r3")
        s.press(.enter)
        #expect(s.screen == .waterfall)
        s.press(.escape)
        s.press(.char("/"), .backspace, .backspace)
        s.type(">35ms")
        #expect(s.traces.rows.map(\.rootName) == ["GET /r5", "GET /r4"])
        s.press(.escape)
        #expect(s.traces.query == "" && s.traces.rows.count == 5)
        s.press(.char("E"))
        #expect(s.traces.rows.map(\.rootName) == ["GET /r3"])
    }

    @Test func waterfallSearchJumpsWithNextAndPrevious() {
        var s = sample()
        s.press(.char("t"), .enter, .char("/"))
        s.type("row")
        #expect(s.waterfall?.matches == [2])
        #expect(s.waterfall?.position.cursor == 2)
        s.press(.enter, .char("g"), .char("n"))
        #expect(s.waterfall?.position.cursor == 2)
        s.press(.char("N"))
        #expect(s.waterfall?.position.cursor == 2)
        s.press(.escape)
        #expect(s.waterfall?.search == "" && s.screen == .waterfall)
    }

    @Test func liveInsertionKeepsTheSelectedTrace() {
        var s = sample()
        s.press(.char("t"), .down, .down)
        let selected = s.traces.rows[s.traces.position.cursor].traceID
        s.update(.spans([span("99", "1", name: "GET /new", service: "gateway", start: 9_000_000_000, end: 9_100_000_000)]))
        s.update(.tick(milliseconds: 10_000))
        #expect(s.traces.rows.count == 6)
        #expect(s.traces.rows[0].rootName == "GET /new")
        #expect(s.traces.rows[s.traces.position.cursor].traceID == selected)
    }

    @Test func liveSpansExtendTheOpenWaterfallKeepingTheSelectedSpan() {
        var s = sample()
        s.press(.char("t"), .enter, .down)
        let selected = s.waterfall?.selectedSpan?.spanID
        s.update(.spans([span("5", "0", parent: "1", name: "early", service: "gateway", start: 5_000_000_500, end: 5_000_000_900)]))
        s.update(.tick(milliseconds: 1))
        #expect(s.waterfall?.rows.count == 4)
        #expect(s.waterfall?.selectedSpan?.spanID == selected)
    }

    @Test func pauseHoldsDataUntilResumed() {
        var s = sample()
        s.press(.char("p"))
        s.update(.spans([span("77", "1", name: "late", start: 1, end: 2)]))
        s.update(.tick(milliseconds: 1))
        #expect(s.store.traceCount == 5)
        #expect(s.held.count == 1)
        #expect(render(s).text.contains("PAUSED +1"))
        s.press(.char("p"))
        #expect(s.store.traceCount == 6)
    }

    /// The main loop's path: batches handed over (left empty), held while paused and
    /// applied on resume, the same as `.spans` messages.
    @Test func receivedBatchesAreTakenHeldWhilePausedAndApplied() {
        var s = sample()
        var batch = [span("77", "1", name: "late", start: 1, end: 2), span("77", "2", parent: "1", name: "later", start: 1, end: 2)]
        s.receive(taking: &batch)
        #expect(batch.isEmpty)
        #expect(s.store.traceCount == 6 && s.store.spanCount == 2 + sample().store.spanCount)
        s.press(.char("p"))
        var more = [span("79", "1", name: "paused", start: 3, end: 4)]
        s.receive(taking: &more)
        #expect(more.isEmpty && s.held.count == 1 && s.store.traceCount == 6)
        s.press(.char("p"))
        #expect(s.held.isEmpty && s.store.traceCount == 7)
    }

    @Test func refreshIsThrottledWhileDataStreams() {
        var s = sample()
        s.press(.char("t"))
        s.update(.spans([span("87", "1", name: "x", start: 98_000_000_000, end: 98_000_000_001)]))
        s.update(.tick(milliseconds: 1_000))
        #expect(s.traces.rows.count == 6)
        s.update(.spans([span("88", "1", name: "x", start: 99_000_000_000, end: 99_000_000_001)]))
        s.update(.tick(milliseconds: 1_050))
        #expect(s.traces.rows.count == 6, "within the refresh interval")
        s.update(.tick(milliseconds: 1_250))
        #expect(s.traces.rows.count == 7)
    }

    @Test func copyEmitsOSC52Effects() {
        var s = sample()
        s.press(.char("t"))
        #expect(s.update(.key(.char("y"))) == [.copy(s.traces.rows[0].traceID.hex)])
        s.press(.enter, .tab)
        // Detail lines: name, service, …; line 1 is the service.
        s.press(.down)
        #expect(s.update(.key(.char("y"))) == [.copy("gateway")])
        #expect(s.message?.contains("copied") == true)
    }

    @Test func sortCyclesThroughColumns() {
        var s = sample()
        s.press(.char("s"))
        #expect(s.services.sort == .spans)
        #expect(s.services.rows.map(\.name) == ["users", "gateway", "orders"])
        for _ in 0..<ServiceSort.allCases.count - 1 { s.press(.char("s")) }
        #expect(s.services.sort == .name)
    }

    @Test func quitAndHelp() {
        var s = sample()
        #expect(s.update(.key(.char("?"))) == [])
        #expect(s.showHelp)
        s.press(.char("x"))
        #expect(!s.showHelp)
        #expect(s.update(.key(.ctrl("c"))) == [.quit])
        #expect(s.update(.key(.char("q"))) == [.quit])
    }

    @Test func statusBarShowsHealthAndDecodeErrors() {
        var s = sample()
        s.update(.resize(width: 120, height: 30))
        s.update(.health(.failed(message: "permission denied", retryInSeconds: 1)))
        s.update(.decodeIssue(DecodeIssue(line: 17, reason: "expected ','")))
        let text = render(s).text
        #expect(text.contains("✗ permission denied · retry in 1s"))
        #expect(text.contains("⚠ 1 bad record (line 17: expected ',')"))
        #expect(text.contains("15 spans · 5 traces"))
    }

    /// A source's notice (a followed file truncated) is shown until the next key, and
    /// is not a bad record.
    @Test func statusBarShowsASourceNoticeUntilTheNextKey() {
        var s = sample()
        s.update(.resize(width: 120, height: 30))
        s.update(.sourceNotice("file truncated: rereading it"))
        let text = render(s).text
        #expect(text.contains("file truncated: rereading it"))
        #expect(!text.contains("bad record"))
        s.press(.down)
        #expect(!render(s).text.contains("the file was truncated"))
    }

    @Test func detailWrapsLongValuesInsteadOfCutting() {
        let long = String(repeating: "abcdefghij", count: 30)
        let s = span("1", "1", name: "n", start: 0, end: 1, attributes: [Attribute("db.query.text", .string(long))])
        let lines = DetailView.lines(for: s, in: Trace(id: s.traceID, spans: [s]), width: 60)
        let joined = lines.map(\.text).joined()
        #expect(joined.replacingOccurrences(of: " ", with: "").contains(long))
        #expect(lines.allSatisfy { DisplayWidth.of($0.text) <= 60 })
    }
}
