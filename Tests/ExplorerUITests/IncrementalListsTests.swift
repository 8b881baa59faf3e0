import Foundation
import Testing
import TraceInsights
import TraceModel
@testable import ExplorerUI

/// The trace list and the services view's finding counts, kept up to date from the
/// store's change log, equal what is worked out from scratch while traces grow, are
/// re-exported, get errors and are evicted, whatever the query.
@Suite struct IncrementalListsTests {
    struct Random {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func below(_ n: Int) -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(n))
        }
    }

    static let services = ["gateway", "auth", "db", "cache"]

    static func hex(_ n: Int, _ width: Int) -> String {
        let digits = String(n, radix: 16)
        return String(repeating: "0", count: width - digits.count) + digits
    }

    static func batch(_ rng: inout Random) -> [Span] {
        (0..<(1 + rng.below(10))).map { _ in
            let trace = 1 + rng.below(50)
            let id = 1 + rng.below(20)
            let parent = id > 1 && rng.below(5) > 0 ? hex(1 + rng.below(id - 1), 16) : ""
            let start = Int64(rng.below(10_000))
            // Names with ids in them and secrets in attributes give the checks something to find.
            let name = rng.below(4) == 0 ? "GET /users/\(rng.below(100_000))" : "op-\(rng.below(5))"
            let attrs = rng.below(6) == 0 ? [Attribute("password", .string("hunter2"))] : []
            return span(hex(trace, 32), hex(id, 16), parent: parent, name: name,
                        service: services[rng.below(services.count)], start: start,
                        end: start + Int64(rng.below(5_000)), error: rng.below(8) == 0, attributes: attrs)
        }
    }

    @Test(arguments: [1, 2, 3])
    func traceListEqualsFromScratch(seed: UInt64) {
        var rng = Random(seed)
        var store = TraceStore(maxSpans: 300)
        var cache = TraceListCache()
        let queries = ["", "svc:db", "is:error", ">2ms", "op:op-1", "gateway", "auth <3ms"]
        var query = TraceQuery("")
        var sawEviction = false
        for step in 0..<150 {
            let evicted = store.evictedTraces
            store.add(Self.batch(&rng))
            // Now and then many traces change at once (merged, not patched, in the cache).
            if step % 10 == 5 { for _ in 0..<4 { store.add(Self.batch(&rng)) } }
            sawEviction = sawEviction || store.evictedTraces > evicted
            if step % 25 == 24 { query = TraceQuery(queries[rng.below(queries.count)]) }
            if step % 2 == 0 || step == 149 {
                _ = cache.update(with: store, query: query)
                let expected = store.traceSummaries(query.filter).filter(query.matchesText)
                #expect(cache.rows == expected, "seed \(seed), step \(step)")
            }
        }
        #expect(sawEviction)
    }

    @Test func traceListReportsOnlyChangedRows() {
        var store = TraceStore()
        store.add([span(Self.hex(1, 32), "0000000000000001", name: "a", start: 10, end: 20)])
        var cache = TraceListCache()
        #expect(cache.update(with: store, query: TraceQuery("")).count == 1)
        store.add([span(Self.hex(2, 32), "0000000000000002", name: "b", start: 30, end: 40)])
        let changed = cache.update(with: store, query: TraceQuery(""))
        #expect(changed.map(\.rootName) == ["b"])
        #expect(cache.rows.map(\.rootName) == ["b", "a"])
        #expect(cache.update(with: store, query: TraceQuery("")).isEmpty)
    }

    @Test(arguments: [1, 2, 3])
    func findingCountsEqualFromScratch(seed: UInt64) {
        var rng = Random(seed)
        var state = AppState(store: TraceStore(maxSpans: 300), sourceName: "test")
        for step in 0..<120 {
            state.update(.spans(Self.batch(&rng)))
            if step % 3 == 0 || step == 119 {
                let live = state.findingCountsByService()
                var fresh = AppState(store: state.store, sourceName: "test")
                let scratch = fresh.findingCountsByService()
                #expect(live.mapValues { [$0.errors, $0.warnings] } == scratch.mapValues { [$0.errors, $0.warnings] },
                        "seed \(seed), step \(step)")
            }
        }
        #expect(!state.findingCountsByService().isEmpty)
    }

    @Test(arguments: [1, 2, 3])
    func insightGroupsEqualFromScratch(seed: UInt64) {
        var rng = Random(seed)
        var state = AppState(store: TraceStore(maxSpans: 300), sourceName: "test")
        state.press(.char("i"))
        #expect(state.screen == .insights)
        var sawCardinality = false
        for step in 0..<120 {
            state.update(.spans(Self.batch(&rng)))
            if step % 10 == 5 { for _ in 0..<4 { state.update(.spans(Self.batch(&rng))) } }
            if step % 3 == 0 || step == 119 {
                state.update(.tick(milliseconds: Int64(step + 1) * 1_000_000))
                var fresh = AppState(store: state.store, sourceName: "test")
                let scratch = InsightsView.groups(fresh.allFindings() + Insights.nameCardinality(Array(state.store.traces.values)))
                #expect(state.insights.groups == scratch, "seed \(seed), step \(step)")
                sawCardinality = sawCardinality || scratch.contains { $0.rule.id == "span-name-cardinality" }
            }
        }
        #expect(sawCardinality)
        #expect(!state.insights.groups.isEmpty)
    }

    /// A store of one big trace and many small ones, full of things to find.
    static func bigLoad() -> [Span] {
        var rng = Random(77)
        var out: [Span] = []
        let big = hex(0xB16, 32)
        for i in 1...6_000 {
            let parent = i == 1 ? "" : hex(1 + rng.below(i - 1), 16)
            let name = rng.below(5) == 0 ? "handler" : rng.below(7) == 0 ? "GET /users/\(rng.below(9_999))" : "op-\(rng.below(5))"
            let attrs = rng.below(9) == 0 ? [Attribute("password", .string("hunter2"))] : [Attribute("http.route", .string("/users/{id}"))]
            out.append(span(big, hex(i, 16), parent: parent, name: name, service: services[rng.below(services.count)],
                            start: Int64(i), end: Int64(i + 10), error: rng.below(15) == 0, attributes: attrs))
        }
        for t in 1...300 { out += batch(&rng).map { s in var s = s; s.traceID = TraceID(hex(t, 32))!; return s } }
        return out
    }

    /// Loading a big store, the services view's finding counts are worked out a budget
    /// of spans per tick (keys are read between), and end equal to an unbudgeted count.
    @Test func findingCountsOfABigLoadComeInBudgetedSteps() {
        var state = AppState(store: TraceStore(), sourceName: "test")
        state.findingsBudgetSpans = 500
        state.update(.spans(Self.bigLoad()))
        state.update(.tick(milliseconds: 1_000_000))
        #expect(state.findingsBehind > 0)
        #expect(render(state).text.contains("checking \(Table.grouped(state.findingsBehind))"))
        let total = state.store.spanCount
        var ticks = 1
        var last = state.findingsBehind
        while state.findingsBehind > 0 && ticks < 1_000 {
            state.update(.tick(milliseconds: 1_000_000))
            ticks += 1
            // A small trace is checked whole, so a step may pass the budget by one.
            #expect(last - state.findingsBehind <= 500 + AppState.keepsFindingsStateFrom)
            last = state.findingsBehind
        }
        #expect(state.findingsBehind == 0)
        #expect(!render(state).text.contains("checking"))
        #expect(ticks >= total / (500 + AppState.keepsFindingsStateFrom))
        var fresh = AppState(store: TraceStore(), sourceName: "test")
        fresh.findingsBudgetSpans = .max
        fresh.update(.spans(Self.bigLoad()))
        fresh.update(.tick(milliseconds: 1_000_000))
        #expect(fresh.findingsBehind == 0)
        #expect(state.services.findings.mapValues { [$0.errors, $0.warnings] } == fresh.services.findings.mapValues { [$0.errors, $0.warnings] })
        #expect(!state.services.findings.isEmpty)
    }

    /// The services list itself is reworked a budget of spans per tick on a big load
    /// (the status bar counts what waits), and ends equal to an unbudgeted one.
    @Test func servicesListOfABigLoadComesInBudgetedSteps() {
        var state = AppState(store: TraceStore(), sourceName: "test")
        state.servicesBudgetSpans = 100
        state.findingsBudgetSpans = 100
        state.update(.spans(Self.bigLoad()))
        state.update(.tick(milliseconds: 1_000_000))
        #expect(!state.serviceSummaryCache.pending.isEmpty)
        #expect(render(state).text.contains("checking"))
        var ticks = 0
        while state.findingsBehind > 0 && ticks < 2_000 {
            // What waits is some of what is held, whichever pass it waits for.
            #expect(state.findingsBehind <= state.store.spanCount)
            state.update(.tick(milliseconds: 1_000_000))
            ticks += 1
        }
        #expect(state.serviceSummaryCache.pending.isEmpty)
        // Some 1,650 spans of small traces, 100 a tick (the 6,000-span one takes one).
        #expect(ticks > 10)
        var fresh = AppState(store: TraceStore(), sourceName: "test")
        fresh.servicesBudgetSpans = .max
        fresh.findingsBudgetSpans = .max
        fresh.update(.spans(Self.bigLoad()))
        fresh.update(.tick(milliseconds: 1_000_000))
        #expect(state.services.rows == fresh.services.rows)
        #expect(state.services.rows.count == Self.services.count)
    }

    /// On a narrow screen the status bar drops the count of spans still to check whole,
    /// rather than cut its number short; where it fits it is there, whole.
    @Test(arguments: [120, 80, 70, 60])
    func checkingCountIsWholeOrAbsent(width: Int) {
        var state = AppState(store: TraceStore(maxSpans: 6_500), sourceName: "a-long-source-name.jsonl", width: width, height: 20)
        state.findingsBudgetSpans = 100
        state.update(.spans(Self.bigLoad()))
        state.update(.tick(milliseconds: 1_000_000))
        #expect(state.findingsBehind > 0 && state.store.evictedTraces > 0)
        let status = String(render(state).text.split(separator: "\n", omittingEmptySubsequences: false)[state.layout.statusRow])
        #expect(status.contains("LIVE"), "\(status)")
        let whole = "checking \(Table.grouped(state.findingsBehind)) "
        #expect(status.contains(whole) || !status.contains("checking"), "\(status)")
        if width >= 120 { #expect(status.contains(whole), "\(status)") }
    }

    /// The same for the Insights view's groups, name cardinality included.
    @Test func insightGroupsOfABigLoadComeInBudgetedSteps() {
        var state = AppState(store: TraceStore(), sourceName: "test")
        state.findingsBudgetSpans = 700
        state.press(.char("i"))
        state.update(.spans(Self.bigLoad()))
        state.update(.tick(milliseconds: 1_000_000))
        #expect(state.findingsBehind > 0)
        var ticks = 1
        while state.findingsBehind > 0 && ticks < 1_000 {
            state.update(.tick(milliseconds: 1_000_000))
            ticks += 1
        }
        #expect(state.findingsBehind == 0)
        #expect(ticks > 5)
        var fresh = AppState(store: state.store, sourceName: "test")
        let scratch = InsightsView.groups(fresh.allFindings() + Insights.nameCardinality(Array(state.store.traces.values)))
        #expect(state.insights.groups == scratch)
        #expect(scratch.contains { $0.rule.id == "span-name-cardinality" })
    }

    /// Traces already grouped change while the Insights pass is still taking a store in
    /// by steps (their findings sit in the part of a group not ordered yet); the groups
    /// still end equal to a grouping from scratch, in the same order.
    @Test(arguments: [4, 5])
    func insightGroupsStayRightWhenTracesChangeMidPass(seed: UInt64) {
        var rng = Random(seed)
        var state = AppState(store: TraceStore(), sourceName: "test")
        state.findingsBudgetSpans = 400
        state.press(.char("i"))
        state.update(.spans(Self.bigLoad()))
        var ticks = 0
        while (state.findingsBehind > 0 || ticks < 12) && ticks < 2_000 {
            if ticks < 12 {
                // Spans for the small traces of the load (ids 1...300), grouped or not yet.
                let more = Self.batch(&rng).map { s in var s = s; s.traceID = TraceID(Self.hex(1 + rng.below(300), 32))!; return s }
                state.update(.spans(more))
            }
            state.update(.tick(milliseconds: 1_000_000 + Int64(ticks) * 10_000))
            ticks += 1
        }
        #expect(state.findingsBehind == 0)
        var fresh = AppState(store: state.store, sourceName: "test")
        let scratch = InsightsView.groups(fresh.allFindings() + Insights.nameCardinality(Array(state.store.traces.values)))
        #expect(state.insights.groups == scratch)
    }

    /// Grouping is budgeted too: findings all checked already (by the services view),
    /// opening Insights on many traces still takes them in by steps.
    @Test func openingInsightsOnCheckedTracesGroupsThemInSteps() {
        var state = AppState(store: TraceStore(), sourceName: "test")
        state.findingsBudgetSpans = 300
        state.update(.spans(Self.bigLoad()))
        for tick in 0..<2_000 where state.findingsBehind > 0 || tick == 0 { state.update(.tick(milliseconds: 1_000_000 + Int64(tick))) }
        #expect(state.findingsBehind == 0)
        state.press(.char("i"))
        #expect(state.findingsBehind > 0)
        #expect(render(state).text.contains("checking"))
        var ticks = 0
        while state.findingsBehind > 0 && ticks < 2_000 {
            state.update(.tick(milliseconds: 2_000_000 + Int64(ticks)))
            ticks += 1
        }
        #expect(ticks > 3)
        var fresh = AppState(store: state.store, sourceName: "test")
        let scratch = InsightsView.groups(fresh.allFindings() + Insights.nameCardinality(Array(state.store.traces.values)))
        #expect(state.insights.groups == scratch)
    }

    /// A trace's findings stay those of a whole check while it grows past the size from
    /// which its findings state is kept (below it, a change checks the trace whole):
    /// children arrive before their parents, names go generic or carry ids.
    @Test func findingsOfAGrowingTraceEqualAWholeCheckOnBothSidesOfTheKeptState() {
        var state = AppState(store: TraceStore(), sourceName: "test")
        let trace = "abcdef0123456789abcdef0123456789"
        var sizes: [Int] = []
        for round in 0..<12 {
            var batch: [Span] = []
            for i in 0..<12 {
                let n = round * 12 + i + 2
                // Each span's parent is the one 5 before it: some come in a later batch.
                let parent = n < 7 ? "1" : String(format: "%016x", n - 5 + (i % 4 == 0 ? 12 : 0))
                let name = i % 3 == 0 ? "handler" : i % 3 == 1 ? "GET /users/\(n)" : "SELECT orders"
                batch.append(span(trace, String(format: "%016x", n), parent: parent, name: name, service: i % 2 == 0 ? "api" : "db",
                                  start: Int64(n) * 10, end: Int64(n) * 10 + 5, error: i == 7))
            }
            if round == 3 { batch.append(span(trace, "0000000000000001", name: "GET /orders", service: "api", start: 0, end: 10_000)) }
            state.update(.spans(batch))
            let held = state.store.trace(TraceID(trace)!)!
            let live = state.findings(for: held)
            var whole = TraceFindings()
            var memo = Insights.Memo()
            whole.update(held, config: InsightConfig(), memo: &memo)
            #expect(live == whole.findings, "round \(round)")
            let kept = state.findingsCache.current(held.id, generation: held.storeGeneration)?.state != nil
            #expect(kept == (held.spanCount >= AppState.keepsFindingsStateFrom), "round \(round), \(held.spanCount) spans")
            sizes.append(held.spanCount)
        }
        #expect(sizes.first! < AppState.keepsFindingsStateFrom && sizes.last! > AppState.keepsFindingsStateFrom)
    }
}
