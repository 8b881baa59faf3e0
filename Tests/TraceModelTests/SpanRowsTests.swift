import Testing
@testable import TraceModel

/// The chunked span storage behaves as an array: order, indices and value semantics
/// across chunk boundaries, and a copy is never changed by changes to the original.
@Suite struct SpanRowsTests {
    func span(_ i: Int) -> Span {
        Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(UInt64(i + 1)), name: "s\(i)", startTime: Int64(i), endTime: Int64(i + 1))
    }

    @Test(arguments: [0, 1, 4_095, 4_096, 4_097, 10_000])
    func actsAsAnArray(count: Int) {
        let reference = (0..<count).map(span)
        let rows = SpanRows(reference)
        #expect(rows.count == count)
        #expect(Array(rows).map(\.spanID) == reference.map(\.spanID), "the iterator walks every chunk in order")
        #expect(rows.indices.map { rows[$0].spanID } == reference.map(\.spanID))
        #expect(rows.last?.spanID == reference.last?.spanID)
    }

    /// Runs appended after reserving room for each read like one array, and leave few
    /// empty slots: each run fits exactly, a chunk grows by a quarter at least.
    @Test(arguments: [1, 2, 7, 300])
    func reservedRunsActAsAnArrayAndLeaveLittleRoom(maxRun: Int) {
        var rows = SpanRows()
        var reference: [Span] = []
        var state: UInt64 = UInt64(maxRun)
        while reference.count < 9_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let run = 1 + Int((state >> 33) % UInt64(maxRun))
            rows.reserveCapacity(forAppending: run)
            for _ in 0..<run {
                let s = span(reference.count)
                rows.append(s)
                reference.append(s)
            }
            #expect(rows.count == reference.count)
            // What doubling would leave is up to the whole count again.
            #expect(rows.capacity <= reference.count + reference.count / 4 + maxRun + 1, "\(reference.count) spans")
        }
        #expect(Array(rows).map(\.spanID) == reference.map(\.spanID))
        #expect(rows.indices.map { rows[$0].spanID } == reference.map(\.spanID))
    }

    @Test func copiesAreIndependent() {
        var original = SpanRows((0..<9_000).map(span))
        let snapshot = original
        original.append(span(9_000))
        original[5] = span(77_777)
        original[8_999] = span(88_888)
        #expect(snapshot.count == 9_000)
        #expect(snapshot[5].spanID == SpanID(6) && snapshot[8_999].spanID == SpanID(9_000))
        #expect(original.count == 9_001 && original[5].spanID == SpanID(77_778) && original[8_999].spanID == SpanID(88_889))
    }

    @Test func aTraceKeptByAViewIsUntouchedByLaterSpans() {
        var store = TraceStore()
        store.add((0..<5_000).map(span))
        let shown = store.trace(TraceID(high: 0, low: 1))!
        store.add((5_000..<5_100).map(span) + [Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(3), name: "re-export",
                                                    startTime: 2, endTime: 3)])
        let now = store.trace(TraceID(high: 0, low: 1))!
        #expect(shown.spanCount == 5_000 && shown.spans[2].name == "s2")
        #expect(now.spanCount == 5_100 && now.spans[2].name == "re-export" && now.index(of: SpanID(5_100)) == 5_099)
    }
}

/// The per-trace cache keeps its values packed apart from its table; every operation
/// reads as a plain dictionary of (generation, value) would.
@Suite struct PerTraceCacheTests {
    @Test(arguments: [1, 2, 3])
    func actsAsADictionary(seed: UInt64) {
        var cache = PerTraceCache<String>()
        var model: [TraceID: (generation: Int, value: String)] = [:]
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for step in 0..<3_000 {
            let id = TraceID(high: 0, low: UInt64(1 + next(60)))
            let generation = next(4)
            switch next(3) {
            case 0:
                cache.set("v\(step)", id, generation: generation)
                model[id] = (generation, "v\(step)")
            case 1:
                #expect(cache.take(id) == model.removeValue(forKey: id)?.value)
            default:
                let expected = model[id].flatMap { $0.generation == generation ? $0.value : nil }
                #expect(cache.current(id, generation: generation) == expected)
            }
            if step % 500 == 0 { cache.reserveCapacity(step / 10) }
            #expect(cache.count == model.count)
        }
        for (id, entry) in model { #expect(cache.current(id, generation: entry.generation) == entry.value) }
    }

    /// A findings pass reserves room for every held trace, one more each time a trace
    /// arrives: the storage must grow geometrically, not be copied for each new trace.
    @Test func reservingOneMoreEachTimeGrowsRarely() {
        var cache = PerTraceCache<Int>()
        var growths = 0, last = cache.capacity
        for n in 1...20_000 {
            cache.reserveCapacity(n)
            cache.set(n, TraceID(high: 1, low: UInt64(n)), generation: 0)
            if cache.capacity != last { growths += 1; last = cache.capacity }
        }
        #expect(cache.count == 20_000)
        #expect(growths < 40, "grew \(growths) times")
    }

    @Test func pruningDropsOnlyTracesTheStoreNoLongerHolds() {
        var store = TraceStore()
        var cache = PerTraceCache<Int>()
        for i in 0..<300 { cache.set(i, TraceID(high: 0, low: UInt64(i + 1)), generation: 0) }
        let kept = (0..<300).filter { $0 % 7 == 0 }
        store.add(kept.map { Span(traceID: TraceID(high: 0, low: UInt64($0 + 1)), spanID: SpanID(1), name: "s", startTime: 1, endTime: 2) })
        cache.prune(to: store)
        #expect(cache.count == kept.count)
        for i in kept { #expect(cache.current(TraceID(high: 0, low: UInt64(i + 1)), generation: 0) == i) }
    }
}

@Suite struct ServiceCountTests {
    @Test(arguments: [0, 1, 3, 8, 9, 30])
    func countsDistinctServicesLikeTheSortedList(services: Int) {
        let id = TraceID(high: 0, low: 7)
        let spans = (0..<(services * 3)).map { i in
            Span(traceID: id, spanID: SpanID(UInt64(i + 1)), name: "s", startTime: 1, endTime: 2,
                 resource: Resource(serviceName: "svc-\((i * 7) % max(1, services))"))
        }
        let trace = Trace(id: id, spans: spans)
        #expect(trace.serviceCount == trace.services.count)
        #expect(trace.serviceCount == services)
    }
}
