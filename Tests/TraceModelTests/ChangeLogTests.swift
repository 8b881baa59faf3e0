import Testing
@testable import TraceModel

/// The store's change log names every trace added, changed or evicted after a
/// generation, and says when it no longer reaches back that far.
@Suite struct ChangeLogTests {
    @Test func namesTracesChangedAfterAGeneration() {
        var store = TraceStore()
        store.add([span("1", trace: "a", start: 0, end: 1), span("2", trace: "b", start: 0, end: 1)])
        let first = store.generation
        #expect(Set(store.changedTraces(since: 0) ?? []) == [tid("a"), tid("b")])
        #expect(store.changedTraces(since: first) == [])
        // A batch touching a trace many times logs it once.
        store.add([span("3", trace: "b", start: 0, end: 1), span("4", trace: "b", start: 0, end: 1),
                   span("5", trace: "c", start: 0, end: 1)])
        #expect(store.changedTraces(since: first) == [tid("b"), tid("c")])
        #expect(store.changedTraces(since: store.generation) == [])
    }

    @Test func logsEvictionsButNotSpansOverTheCap() {
        var store = TraceStore(maxSpans: 2)
        store.add([span("1", trace: "a", start: 0, end: 1), span("2", trace: "a", start: 0, end: 1)])
        let full = store.generation
        // Over the per-trace cap: counted, not kept, so nothing changed.
        store.add([span("3", trace: "a", start: 0, end: 1)])
        #expect(store.spansOverCap == 1)
        #expect(store.changedTraces(since: full) == [])
        // A new trace pushes the old one out: both are named.
        store.add([span("4", trace: "b", start: 0, end: 1)])
        #expect(store.trace(tid("a")) == nil)
        #expect(store.changedTraces(since: full) == [tid("b"), tid("a")])
    }

    @Test func saysWhenItNoLongerReachesBack() {
        var store = TraceStore()
        store.add([span("1", trace: "a", start: 0, end: 1)])
        let early = store.generation
        for i in 0..<5_000 { store.add([span(String(i + 2, radix: 16), trace: "b", start: 0, end: 1)]) }
        #expect(store.changedTraces(since: early) == nil)
        let recent = store.generation - 10
        #expect(store.changedTraces(since: recent) == Array(repeating: tid("b"), count: 10))
    }
}
