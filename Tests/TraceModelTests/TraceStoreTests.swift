import Testing
@testable import TraceModel

@Suite struct TraceStoreTests {
    @Test func servicesCountSpansTracesErrorsAndEntryPercentiles() {
        var store = TraceStore()
        // Trace 1: gateway → auth (entry), auth → auth child (not an entry).
        store.add([
            span("1", trace: "1", service: "gateway", start: 0, end: 100),
            span("2", parent: "1", trace: "1", service: "auth", start: 10, end: 50, error: true),
            span("3", parent: "2", trace: "1", service: "auth", start: 20, end: 30),
        ])
        for i in 2...11 {
            store.add(span("1", trace: String(i), service: "gateway", start: Int64(i) * 1000, end: Int64(i) * 1000 + Int64(i) * 10))
        }
        let rows = store.serviceSummaries()
        #expect(rows.map(\.name) == ["auth", "gateway"])
        let auth = rows[0], gateway = rows[1]
        #expect(auth.spanCount == 2 && auth.traceCount == 1 && auth.errorCount == 1)
        #expect(auth.p50 == 40 && auth.p95 == 40)
        #expect(gateway.spanCount == 11 && gateway.traceCount == 11 && gateway.errorCount == 0)
        // Entry durations of gateway: 100 and 20,30,…,110 → sorted, nearest rank.
        #expect(gateway.p50 == 70)
        #expect(gateway.p95 == 110)
        #expect(auth.operations == ["op-2", "op-3"])
    }

    @Test func traceListIsNewestFirstAndFiltered() {
        var store = TraceStore()
        store.add(span("1", trace: "a", service: "s1", start: 100, end: 200))
        store.add(span("1", trace: "b", service: "s2", start: 300, end: 1300, error: true))
        store.add(span("1", trace: "c", name: "special", service: "s1", start: 200, end: 250))
        #expect(store.traceSummaries().map(\.traceID) == [tid("b"), tid("c"), tid("a")])
        #expect(store.traceSummaries(TraceFilter(service: "s1")).map(\.traceID) == [tid("c"), tid("a")])
        #expect(store.traceSummaries(TraceFilter(operation: "special")).map(\.traceID) == [tid("c")])
        #expect(store.traceSummaries(TraceFilter(minDuration: 100)).map(\.traceID) == [tid("b"), tid("a")])
        #expect(store.traceSummaries(TraceFilter(maxDuration: 99)).map(\.traceID) == [tid("c")])
        #expect(store.traceSummaries(TraceFilter(errorsOnly: true)).map(\.traceID) == [tid("b")])
        let b = store.traceSummaries()[0]
        #expect(b.rootService == "s2" && b.rootName == "op-1" && b.duration == 1000 && b.errorCount == 1 && b.hasRoot)
    }

    @Test func evictsWholeOldestTracesBeyondTheBound() {
        var store = TraceStore(maxSpans: 5)
        store.add([span("1", trace: "a", start: 0, end: 1), span("2", parent: "1", trace: "a", start: 0, end: 1)])
        store.add([span("1", trace: "b", start: 0, end: 1), span("2", parent: "1", trace: "b", start: 0, end: 1)])
        store.add([span("1", trace: "c", start: 0, end: 1), span("2", parent: "1", trace: "c", start: 0, end: 1)])
        #expect(store.traceCount == 2)
        #expect(store.trace(tid("a")) == nil)
        #expect(store.spanCount == 4)
        #expect(store.evictedTraces == 1 && store.evictedSpans == 2)
        // A late span of the evicted trace starts it afresh; it is not lost silently.
        store.add(span("3", trace: "a", start: 0, end: 1))
        #expect(store.spanCount == 5 && store.traceCount == 3)
    }

    @Test func aTraceThatArrivesAgainAfterEvictionHasANewGeneration() {
        var store = TraceStore(maxSpans: 1)
        store.add(span("1", trace: "a", start: 0, end: 1))
        let first = store.trace(tid("a"))!.storeGeneration
        store.add(span("1", trace: "b", start: 0, end: 1))
        #expect(store.trace(tid("a")) == nil)
        store.add(span("2", trace: "a", start: 0, end: 1))
        #expect(store.trace(tid("a"))!.revision == 1, "revision restarts with the new trace")
        #expect(store.trace(tid("a"))!.storeGeneration > first)
    }

    /// One batch in which traces' runs interleave and new traces are inserted between
    /// them (an insertion may move every trace): each span lands in its own trace, in
    /// order, exactly as when the spans arrive one batch each.
    @Test func interleavedRunsInOneBatchLandInTheirTraces() {
        var batch: [Span] = []
        for round in 0..<40 {
            for t in 0...(round % 7) { batch.append(span(String(round * 10 + t + 1), trace: String(t * 13 + round % 5 + 1), start: Int64(round), end: Int64(round + t))) }
        }
        var whole = TraceStore(), oneByOne = TraceStore()
        whole.add(batch)
        for s in batch { oneByOne.add([s]) }
        #expect(whole.traceCount == oneByOne.traceCount && whole.spanCount == batch.count)
        for trace in oneByOne.traces.values {
            let other = whole.trace(trace.id)
            #expect(other?.spans.map(\.spanID) == trace.spans.map(\.spanID))
            #expect(other?.startTime == trace.startTime && other?.endTime == trace.endTime)
        }
    }

    /// A store fed batches it takes holds exactly what one fed copies holds: same spans
    /// in the same order, bounds, duplicates, evictions, over-cap counts and change log;
    /// the taken batch is left empty and another holder's copy of it is untouched.
    @Test func takingABatchEqualsCopyingIt() {
        var rng = SystemRandomNumberGenerator()
        for budget in [40, 1_000] {
            var taken = TraceStore(maxSpans: budget), copied = TraceStore(maxSpans: budget)
            for round in 0..<30 {
                var batch: [Span] = []
                for _ in 0..<Int.random(in: 0...25, using: &rng) {
                    // Few ids, so spans repeat (re-exports) and traces interleave.
                    let t = Int.random(in: 1...6, using: &rng), s = Int.random(in: 1...40, using: &rng)
                    let start = Int64.random(in: 0...1_000, using: &rng)
                    batch.append(span(String(s), trace: String(round / 3 * 10 + t), name: "op\(s % 3)", start: start,
                                      end: start + Int64.random(in: 0...50, using: &rng), error: s % 7 == 0))
                }
                // Every other batch is also held elsewhere: taking it must copy, not move.
                let sharedCopy: [Span]? = round % 2 == 0 ? batch : nil
                let spanIDs = batch.map(\.spanID), names = batch.map(\.name)
                let before = copied.generation
                copied.add(batch)
                taken.add(taking: &batch)
                #expect(batch.isEmpty)
                if let sharedCopy { #expect(sharedCopy.map(\.spanID) == spanIDs && sharedCopy.map(\.name) == names) }
                #expect(taken.spanCount == copied.spanCount && taken.traceCount == copied.traceCount)
                #expect(taken.evictedSpans == copied.evictedSpans && taken.spansOverCap == copied.spansOverCap)
                #expect(taken.changedTraces(since: before) == copied.changedTraces(since: before))
                for trace in copied.traces.values {
                    let id = trace.id
                    let other = taken.trace(id)
                    #expect(other.map { Array($0.spans) } == Array(trace.spans))
                    #expect(other?.startTime == trace.startTime && other?.endTime == trace.endTime)
                    #expect(other?.errorCount == trace.errorCount && other?.duplicateCount == trace.duplicateCount)
                }
            }
        }
    }

    @Test func duplicateSpansDoNotInflateCounts() {
        var store = TraceStore()
        store.add([span("1", trace: "a", start: 0, end: 1), span("1", trace: "a", start: 0, end: 1)])
        #expect(store.spanCount == 1)
    }

    @Test func percentileNearestRank() {
        #expect(percentile([], 50) == 0)
        #expect(percentile([5], 95) == 5)
        #expect(percentile([1, 2, 3, 4], 50) == 2)
        #expect(percentile(Array(1...100), 95) == 95)
    }

    @Test func durationsFormatAndParse() {
        #expect(DurationFormat.format(850) == "850ns")
        #expect(DurationFormat.format(12_300) == "12.3µs")
        #expect(DurationFormat.format(1_250_000) == "1.25ms")
        #expect(DurationFormat.format(340_000_000) == "340ms")
        #expect(DurationFormat.format(3_400_000_000) == "3.4s")
        #expect(DurationFormat.format(125_000_000_000) == "2m05s")
        #expect(DurationFormat.parse("120ms") == 120_000_000)
        #expect(DurationFormat.parse("1.5s") == 1_500_000_000)
        #expect(DurationFormat.parse("250us") == 250_000)
        #expect(DurationFormat.parse("2h") == 7_200_000_000_000)
        #expect(DurationFormat.parse("5") == 5_000_000)
        #expect(DurationFormat.parse("-3s") == nil)
        #expect(DurationFormat.parse("fast") == nil)
    }
}
