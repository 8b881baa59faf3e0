import Testing
@testable import TraceModel

/// The services list kept across recomputes equals one worked out from scratch, while
/// traces grow, spans are re-exported, parents arrive late and whole traces are evicted.
@Suite struct ServiceSummaryCacheTests {
    @Test(arguments: [1, 2, 3, 4])
    func cachedEqualsFromScratch(seed: UInt64) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func below(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
        let services = ["gateway", "auth", "db", "cache"]
        var store = TraceStore(maxSpans: 400)
        var cache = ServiceSummaryCache()
        var sawEviction = false
        for step in 0..<120 {
            var batch: [Span] = []
            for _ in 0..<(1 + below(12)) {
                let trace = String(1 + below(40), radix: 16)
                let id = 1 + below(30)
                // Parents point at lower ids: some arrive later than their children.
                let parent = id > 1 && below(5) > 0 ? String(1 + below(id - 1), radix: 16) : ""
                let start = Int64(below(10_000))
                batch.append(span(String(id, radix: 16), parent: parent, trace: trace, name: "op-\(below(6))",
                                  service: services[below(services.count)], start: start, end: start + Int64(below(5_000)),
                                  error: below(10) == 0))
            }
            let evictedBefore = store.evictedTraces
            store.add(batch)
            if store.evictedTraces > evictedBefore { sawEviction = true }
            // Not every change is looked at: the cache must catch up over several.
            if step % 3 == 0 || step == 119 {
                #expect(cache.summaries(of: store) == store.serviceSummaries(), "seed \(seed), step \(step)")
            }
        }
        #expect(sawEviction)
    }
}
