import Testing
@testable import TraceModel

/// The services list kept across recomputes equals one worked out from scratch, while
/// traces grow, spans are re-exported, parents arrive late and whole traces are evicted.
@Suite struct ServiceSummaryCacheTests {
    struct Random {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func below(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
    }

    /// Up to `spans` spans over `traces` traces of four services; parents point at
    /// lower ids, so some arrive later than their children.
    static func batch(_ rng: inout Random, spans: Int, traces: Int) -> [Span] {
        let services = ["gateway", "auth", "db", "cache"]
        return (0..<(1 + rng.below(spans))).map { _ in
            let trace = String(1 + rng.below(traces), radix: 16)
            let id = 1 + rng.below(30)
            let parent = id > 1 && rng.below(5) > 0 ? String(1 + rng.below(id - 1), radix: 16) : ""
            let start = Int64(rng.below(10_000))
            return span(String(id, radix: 16), parent: parent, trace: trace, name: "op-\(rng.below(6))",
                        service: services[rng.below(services.count)], start: start, end: start + Int64(rng.below(5_000)),
                        error: rng.below(10) == 0)
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func cachedEqualsFromScratch(seed: UInt64) {
        var rng = Random(seed)
        var store = TraceStore(maxSpans: 400)
        var cache = ServiceSummaryCache()
        var sawEviction = false
        for step in 0..<120 {
            let evictedBefore = store.evictedTraces
            store.add(Self.batch(&rng, spans: 12, traces: 40))
            if store.evictedTraces > evictedBefore { sawEviction = true }
            // Not every change is looked at: the cache must catch up over several.
            if step % 3 == 0 || step == 119 {
                #expect(cache.summaries(of: store) == store.serviceSummaries(), "seed \(seed), step \(step)")
            }
        }
        #expect(sawEviction)
    }

    /// Reworking a few spans' worth of traces a call (as the services view does, a
    /// budget per tick), while the store keeps changing and evicting, the list catches
    /// up and then equals a from-scratch count; meanwhile traces wait in `pending`.
    @Test(arguments: [7, 8, 9])
    func budgetedPassesCatchUpToAFromScratchCount(seed: UInt64) {
        var rng = Random(seed)
        var store = TraceStore(maxSpans: 600)
        var cache = ServiceSummaryCache()
        var sawPending = false
        for step in 0..<80 {
            store.add(Self.batch(&rng, spans: 30, traces: 60))
            _ = cache.summaries(of: store, budgetSpans: 1 + rng.below(40))
            sawPending = sawPending || !cache.pending.isEmpty
            if step % 20 == 19 {
                var calls = 0
                var rows = cache.summaries(of: store, budgetSpans: 25)
                while !cache.pending.isEmpty && calls < 1_000 {
                    rows = cache.summaries(of: store, budgetSpans: 25)
                    calls += 1
                }
                #expect(rows == store.serviceSummaries(), "seed \(seed), step \(step)")
            }
        }
        #expect(sawPending)
        // A first pass over a whole store goes by budget too.
        var fresh = ServiceSummaryCache()
        _ = fresh.summaries(of: store, budgetSpans: 10)
        #expect(!fresh.pending.isEmpty)
        var rows: [ServiceSummary] = []
        while !fresh.pending.isEmpty { rows = fresh.summaries(of: store, budgetSpans: 10) }
        #expect(rows == store.serviceSummaries())
    }

    /// What waits and what changed since, as the next pass's list: each trace once (the
    /// log names a trace once per change), what waited first.
    @Test func unionOfWaitingAndChangedNamesEachTraceOnce() {
        let a = TraceID(high: 0, low: 1), b = TraceID(high: 0, low: 2), c = TraceID(high: 0, low: 3), d = TraceID(high: 0, low: 4)
        #expect(ChangeCursor.union([a, b], [c, a, c, d, c]) == [b, c, a, d])
        #expect(ChangeCursor.union([], [c, c, d, c]) == [c, d])
        #expect(ChangeCursor.union([a, b], []) == [a, b])
    }

    /// A step that only takes up what waits leaves the changes made since for the next
    /// whole refresh (a giant trace growing as it loads is not worked out at every step).
    @Test func pendingOnlyStepsLeaveNewChangesForTheNextRefresh() {
        var store = TraceStore()
        var cache = ServiceSummaryCache()
        _ = cache.summaries(of: store)
        store.add((1...20).map { span(String($0, radix: 16), trace: String($0, radix: 16), service: "gateway", start: 0, end: 10) })
        _ = cache.summaries(of: store, budgetSpans: 5)
        #expect(!cache.pending.isEmpty)
        store.add([span("ff", trace: "ff", service: "late", start: 0, end: 10)])
        var rows: [ServiceSummary] = []
        while !cache.pending.isEmpty { rows = cache.summaries(of: store, budgetSpans: 5, pendingOnly: true) }
        #expect(rows.map(\.name) == ["gateway"] && rows[0].spanCount == 20)
        #expect(cache.summaries(of: store) == store.serviceSummaries())
    }

    /// A cache that lost the store's log (it looked too seldom), or is shown another
    /// store, adds up from scratch and still agrees.
    @Test func catchesUpAfterTheLogMovedOnAndOnAnotherStore() {
        var store = TraceStore()
        var cache = ServiceSummaryCache()
        store.add([span("1", trace: "a", service: "gateway", start: 0, end: 50)])
        #expect(cache.summaries(of: store) == store.serviceSummaries())
        for i in 0..<5_000 {
            store.add([span(String(i + 2, radix: 16), parent: "1", trace: String(i % 7 + 1, radix: 16),
                            service: i % 2 == 0 ? "db" : "gateway", start: Int64(i), end: Int64(i + 10 + i % 13))])
        }
        #expect(cache.summaries(of: store) == store.serviceSummaries())
        var other = TraceStore()
        other.add([span("1", trace: "b", service: "auth", start: 5, end: 9)])
        #expect(cache.summaries(of: other) == other.serviceSummaries())
        store.add([span("ffff", trace: "a", service: "cache", start: 1, end: 2)])
        #expect(cache.summaries(of: store) == store.serviceSummaries())
    }

    /// A re-export that ends a trace's newest span earlier lowers the service's
    /// last-seen time, and the list still agrees after an eviction.
    /// Worked out span by span, without shares: a trace with many distinct names (past
    /// the share's short list) across services, and entry spans of each.
    @Test func aShareWithManyNamesCountsWhatASpanBySpanPassCounts() {
        var spans = [span("1", trace: "a", service: "gateway", start: 0, end: 1_000)]
        for i in 0..<120 {
            let service = ["db", "auth", "gateway"][i % 3]
            let parent = i % 4 == 0 ? "1" : String(0x100 + (i / 4) * 4, radix: 16)
            spans.append(span(String(0x100 + i, radix: 16), parent: parent, trace: "a", name: "op \(i % 37)", service: service,
                              start: Int64(i), end: Int64(i + 10 + i % 7), error: i % 11 == 0))
        }
        var store = TraceStore()
        store.add(spans)
        let trace = store.trace(tid("a"))!
        var cache = ServiceSummaryCache()
        let rows = cache.summaries(of: store)
        #expect(rows == store.serviceSummaries())
        for row in rows {
            let mine = trace.spans.filter { $0.serviceName == row.name }
            #expect(row.operations == Array(Set(mine.map(\.name))).sorted())
            #expect(row.spanCount == mine.count && row.errorCount == mine.filter(\.isError).count)
            let entries = mine.filter { trace.span($0.parentSpanID)?.serviceName != row.name }.map(\.duration).sorted()
            #expect(row.p50 == percentile(entries, 50) && row.p95 == percentile(entries, 95))
        }
    }

    @Test func lastSeenFallsWhenTheNewestPartGoes() {
        var store = TraceStore(maxSpans: 3)
        var cache = ServiceSummaryCache()
        store.add([span("1", trace: "a", service: "db", start: 0, end: 100), span("2", trace: "b", service: "db", start: 0, end: 500)])
        #expect(cache.summaries(of: store).first?.lastSeen == 500)
        store.add([span("2", trace: "b", service: "db", start: 0, end: 200)])
        #expect(cache.summaries(of: store).first?.lastSeen == 200)
        #expect(cache.summaries(of: store) == store.serviceSummaries())
        store.add([span("3", trace: "c", service: "db", start: 0, end: 50), span("4", trace: "c", service: "db", start: 0, end: 60)])
        #expect(cache.summaries(of: store) == store.serviceSummaries())
    }

    /// A packed share unpacks to what was packed (parts, ranges, durations, names), and
    /// the names are let go with the last share that used them: traces with an id in
    /// every span name leave nothing behind once evicted.
    @Test func packedSharesRoundTripAndLetGoOfTheirNames() throws {
        var shares = PackedServiceShares()
        var store = TraceStore()
        for t in 0..<50 {
            var batch = [span("1", trace: String(t + 1, radix: 16), name: "GET /users/\(t)", service: "gateway",
                              start: Int64(t) * 1_000_000_000, end: Int64(t) * 1_000_000_000 + 5_000, error: t % 3 == 0)]
            for i in 0..<(t % 5) {
                batch.append(span(String(i + 2, radix: 16), parent: "1", trace: String(t + 1, radix: 16), name: i % 2 == 0 ? "SELECT" : "op \(t)",
                                  service: i % 2 == 0 ? "db" : "gateway", start: Int64(t) * 1_000_000_000 + Int64(i),
                                  end: Int64(t) * 1_000_000_000 + Int64(i) * 700 + 90))
            }
            store.add(batch)
        }
        var originals: [TraceID: TraceServiceShare] = [:]
        for trace in store.traces.values {
            let share = TraceServiceShare(trace)
            originals[trace.id] = share
            shares.insert(share, for: trace.id, generation: trace.storeGeneration)
        }
        // gateway and db, 50 "GET /users/N", "op N" of the 30 traces with a second
        // child, and SELECT.
        #expect(shares.nameCount == 2 + 50 + 30 + 1)
        for (id, original) in originals {
            let removed = shares.remove(id)
            let back = try #require(removed)
            #expect(back.parts.map(\.name) == original.parts.map(\.name))
            #expect(back.parts.map(\.spans) == original.parts.map(\.spans) && back.parts.map(\.errors) == original.parts.map(\.errors))
            #expect(back.parts.map(\.lastSeen) == original.parts.map(\.lastSeen))
            for (a, b) in zip(back.parts, original.parts) {
                #expect(Array(back.entryDurations(of: a)) == Array(original.entryDurations(of: b)))
                #expect(Array(back.operations(of: a)) == Array(original.operations(of: b)))
            }
        }
        #expect(shares.count == 0 && shares.nameCount == 0)
    }
}
