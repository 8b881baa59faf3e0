import Testing
import TraceModel
@testable import ExplorerUI

@Suite struct SearchFormTests {
    func jaegerState() -> AppState {
        var s = AppState(store: TraceStore(), sourceName: "jaeger", width: 120, height: 32)
        s.canSearch = true
        s.update(.remoteServices(["frontend", "orders", "payments"]))
        return s
    }

    @Test func remoteServicesListBeforeAnySpanIsLoaded() {
        let s = jaegerState()
        #expect(s.services.rows.map(\.name) == ["frontend", "orders", "payments"])
        let row = render(s).text.split(separator: "\n").first { $0.hasPrefix(" orders ") }
        #expect(row?.contains("–") == true, "no figures for a service with nothing loaded: \(row ?? "")")
    }

    @Test func enterOnAServiceSearchesIt() {
        var s = jaegerState()
        s.press(.down)
        let effects = s.update(.key(.enter))
        #expect(effects == [.search(SearchForm.Search(service: "orders", operation: nil, tags: [:], lookback: 3_600_000_000_000, window: nil,
                                                      minDuration: nil, maxDuration: nil, limit: 20))])
        #expect(s.screen == .traces && s.traces.service == "orders")
    }

    @Test func formEditsValidatesAndSubmits() {
        var s = jaegerState()
        s.press(.char("f"))
        #expect(s.searchForm?[.service] == "frontend")
        #expect(s.searchForm?.focus == .operation)
        s.type("GET /api")
        s.press(.down)
        s.type("http.status_code=500 error=true")
        s.press(.down, .ctrl("u"))
        s.type("2x")
        #expect(s.update(.key(.enter)) == [])
        #expect(s.searchForm?.error == "lookback is a duration like 1h")
        #expect(s.searchForm?.focus == .lookback)
        s.press(.backspace)
        s.type("d")
        s.press(.down, .down, .down)
        s.type("120ms")
        s.press(.down)
        s.type("1.5s")
        let effects = s.update(.key(.enter))
        #expect(effects == [.search(SearchForm.Search(service: "frontend", operation: "GET /api",
                                                      tags: ["http.status_code": "500", "error": "true"],
                                                      lookback: 2 * 86_400_000_000_000, window: nil, minDuration: 120_000_000,
                                                      maxDuration: 1_500_000_000, limit: 20))])
        #expect(s.searchForm == nil)
        s.press(.char("f"))
        #expect(s.searchForm?[.lookback] == "2d", "the form remembers the last search")
    }

    @Test func badTagsAndRangesAreRejected() {
        var form = SearchForm(service: "x")
        form[.tags] = "novalue"
        #expect(form.validated() == .failure(SearchFormError(field: .tags, message: "tags are key=value, separated by spaces")))
        form[.tags] = ""
        form[.minDuration] = "2s"
        form[.maxDuration] = "1s"
        #expect(form.validated() == .failure(SearchFormError(field: .maxDuration, message: "max duration is below min duration")))
        form[.maxDuration] = ""
        form[.limit] = "0"
        #expect(form.validated() == .failure(SearchFormError(field: .limit, message: "limit is a number from 1 to 1500")))
        #expect(SearchForm().validated() == .failure(SearchFormError(field: .service, message: "a service is required")))
    }

    @Test func customWindowInsteadOfLookback() {
        var form = SearchForm(service: "x")
        form[.start] = "2026-11-25 09:00"
        form[.end] = "2026-11-25T10:30:00Z"
        guard case .success(let search) = form.validated() else { Issue.record("not valid"); return }
        #expect(search.window == RFC3339.parse("2026-11-25T09:00:00Z")!...RFC3339.parse("2026-11-25T10:30:00Z")!)
        form[.end] = ""
        guard case .success(let open) = form.validated() else { Issue.record("not valid"); return }
        #expect(open.window?.upperBound == .max, "no end: up to now")
        form[.end] = "2026-11-25 08:00"
        #expect(form.validated() == .failure(SearchFormError(field: .end, message: "end is before start")))
        form[.start] = "yesterday"
        #expect(form.validated() == .failure(SearchFormError(field: .start, message: "start is a time like 2026-11-25 09:00 or RFC 3339")))
    }

    @Test func tabCompletesServiceNamesAndEscCancels() {
        var s = jaegerState()
        s.press(.char("t"), .char("f"))
        #expect(s.searchForm?.focus == .service)
        s.type("pa")
        s.press(.tab)
        #expect(s.searchForm?[.service] == "payments")
        s.press(.escape)
        #expect(s.searchForm == nil)
    }

    @Test func pauseReachesThePoller() {
        var s = jaegerState()
        #expect(s.update(.key(.char("p"))) == [.setPaused(true)])
        #expect(s.update(.key(.char("p"))) == [.setPaused(false)])
    }

    @Test func withoutJaegerTheFormExplainsItself() {
        var s = AppState(store: TraceStore(), sourceName: "file", width: 120, height: 32)
        s.press(.char("f"))
        #expect(s.searchForm == nil)
        #expect(s.message == "searching needs a Jaeger source (--jaeger URL)")
    }

    @Test func searchFormGolden() {
        var s = jaegerState()
        s.press(.char("f"))
        s.type("GET")
        expectGolden(render(s), "search-form-120x32")
    }

    @Test func summaryRowsFetchTheirTraceOnEnter() {
        var s = jaegerState()
        s.press(.char("f"))
        _ = s.update(.key(.enter))
        let id = TraceID("abc")!
        s.update(.remoteSummaries([TraceSummary(traceID: id, rootService: "frontend", rootName: "GET /", hasRoot: true,
                                                startTime: 5_000, duration: 2_000, spanCount: 7, errorCount: 1, serviceCount: 2)]))
        #expect(s.traces.rows.map(\.traceID) == [id])
        #expect(s.traces.rows[0].spanCount == 7)
        #expect(s.update(.key(.enter)) == [.fetchTrace(id)])
        #expect(s.screen == .traces)
        s.update(.spans([span("abc", "1", name: "GET /", service: "frontend", start: 5_000, end: 7_000)]))
        s.update(.tick(milliseconds: 1))
        #expect(s.screen == .waterfall)
        #expect(s.waterfall?.traceID == id)
    }
}
