import Testing
import TraceModel
@testable import TraceInsights

/// Findings kept up to date span batch by span batch must equal a check of the whole
/// trace as it stands, whatever order spans arrive in.
@Suite struct TraceFindingsTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    /// A trace whose spans break many rules: missing parents, swallowed errors, skewed
    /// clocks, secrets in span, resource and event attributes, generic names, roots.
    static func spans(count: Int, traceID: TraceID, rng: inout Rng) -> [Span] {
        let services = [
            Resource(attributes: [Attribute("service.name", .string("api"))]),
            Resource(attributes: [Attribute("service.name", .string("db")), Attribute("db.password", .string("hunter2"))]),
            Resource(serviceName: "unknown_service:python"),
        ]
        let names = ["GET", "handler", "db.query", "GET /users/42", "charge card", "span"]
        var out: [Span] = []
        for i in 0..<count {
            // Parents mostly point back, sometimes forward (arrives later) or nowhere.
            var parent = SpanID.zero
            if i > 0 && !rng.chance(8) {
                parent = rng.chance(15) ? SpanID(UInt64(count + rng.below(5) + 1)) : SpanID(UInt64(rng.below(count) + 1))
            }
            var attributes: [Attribute] = [Attribute("http.route", .string("/users/{id}"))]
            if rng.chance(30) { attributes.append(Attribute("http.response.status_code", .int(Int64([200, 404, 503][rng.below(3)])))) }
            if rng.chance(10) { attributes.append(Attribute("user.email", .string("alice@example.com"))) }
            if rng.chance(10) { attributes.append(Attribute("http.method", .string("GET"))) }
            if rng.chance(5) { attributes.append(Attribute("authorization", .string("Bearer abc"))) }
            let events = rng.chance(10) ? [SpanEvent(time: 5, name: "exception", attributes: [Attribute("token", .string("x"))])] : []
            let start = Int64(1_000 + rng.below(1_000))
            let end = rng.chance(5) ? 0 : start + Int64(rng.below(500))
            out.append(Span(traceID: traceID, spanID: SpanID(UInt64(i + 1)), parentSpanID: parent, name: names[rng.below(names.count)],
                            kind: SpanKind(rawValue: rng.below(6))!, startTime: start, endTime: end,
                            status: SpanStatus(code: rng.chance(20) ? .error : .unset, message: rng.chance(50) ? "" : "boom"),
                            attributes: AttributeList(attributes), events: events, resource: services[rng.below(services.count)]))
        }
        return out
    }

    /// One trace's spans shuffled, so children often come before their parents.
    static func shuffledSpans(count: Int, traceID: TraceID, rng: inout Rng) -> [Span] {
        var out = spans(count: count, traceID: traceID, rng: &rng)
        for i in out.indices.reversed() { out.swapAt(i, rng.below(i + 1)) }
        return out
    }

    static let api = Resource(attributes: [Attribute("service.name", .string("api"))])

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func incrementalEqualsWholeCheck(seed: UInt64) {
        var rng = Rng(state: seed)
        let id = TraceID(high: 1, low: seed)
        let spans = Self.shuffledSpans(count: 40 + rng.below(200), traceID: id, rng: &rng)
        var store = TraceStore()
        var live = TraceFindings()
        var memo = Insights.Memo()
        var fed = 0
        var sawAdoption = false
        var orphanedBefore = Set<SpanID>()
        while fed < spans.count {
            let n = min(spans.count - fed, 1 + rng.below(25))
            var batch = Array(spans[fed..<fed + n])
            fed += n
            // Now and then a re-export of a span already held (replaces it).
            if fed > n && rng.chance(15) { batch.append(spans[rng.below(fed - n)]) }
            store.add(batch)
            let trace = store.trace(id)!
            live.update(trace, config: InsightConfig(), memo: &memo)
            #expect(live.findings == Insights.check(trace), "seed \(seed) after \(fed) spans")
            #expect(live.checked == trace.spanCount)
            let orphaned = Set(live.findings.filter { $0.rule == "orphan-span" || $0.rule == "context-lost-at-service-edge" }.compactMap(\.spanID))
            if !orphanedBefore.isSubset(of: orphaned) { sawAdoption = true }
            orphanedBefore = orphaned
        }
        #expect(sawAdoption, "a parent arrived after its child at least once")
    }

    /// Checked a few spans at a time (as the explorer spreads a big trace's check over
    /// many ticks), the findings end equal to a whole check, and no step checks more
    /// than it was allowed beyond the orphans it adopts.
    @Test(arguments: [11, 12, 13, 14])
    func limitedStepsEndEqualToAWholeCheck(seed: UInt64) {
        var rng = Rng(state: seed)
        let id = TraceID(high: 5, low: seed)
        let spans = Self.shuffledSpans(count: 150 + rng.below(150), traceID: id, rng: &rng)
        var store = TraceStore()
        var live = TraceFindings()
        var memo = Insights.Memo()
        var fed = 0
        var steps = 0
        while fed < spans.count {
            let n = min(spans.count - fed, 20 + rng.below(60))
            store.add(Array(spans[fed..<fed + n]))
            fed += n
            let trace = store.trace(id)!
            var rounds = 0
            while !live.isComplete(for: trace) {
                let limit = 1 + rng.below(12)
                let before = live.checked
                let done = live.update(trace, config: InsightConfig(), memo: &memo, limit: limit)
                #expect(live.checked - before <= limit)
                #expect(done >= live.checked - before)
                rounds += 1
                steps += 1
                #expect(rounds <= trace.spanCount, "seed \(seed): a limited update made no progress")
                if rounds > trace.spanCount { break }
            }
            #expect(live.findings == Insights.check(trace), "seed \(seed) after \(fed) spans")
        }
        #expect(steps > spans.count / 12, "the check was spread over many steps")
        // Asked with no room, it checks nothing new.
        store.add([Span(traceID: id, spanID: SpanID(9_999), name: "handler", startTime: 1, endTime: 2, resource: Self.api)])
        let grown = store.trace(id)!
        let before = live.checked
        live.update(grown, config: InsightConfig(), memo: &memo, limit: 0)
        #expect(live.checked == before)
        #expect(!live.isComplete(for: grown))
    }

    @Test func unsettledTracesReportNoOrphansButStillAdoptThem() {
        var rng = Rng(state: 99)
        let id = TraceID(high: 2, low: 2)
        let spans = Self.spans(count: 120, traceID: id, rng: &rng).reversed()
        var store = TraceStore()
        var live = TraceFindings(settled: false)
        var memo = Insights.Memo()
        for chunk in stride(from: 0, to: spans.count, by: 17) {
            store.add(Array(spans.dropFirst(chunk).prefix(17)))
            let trace = store.trace(id)!
            live.update(trace, config: InsightConfig(), memo: &memo)
            #expect(live.findings == Insights.check(trace, settled: false))
            #expect(!live.findings.contains { $0.rule == "orphan-span" || $0.rule == "context-lost-at-service-edge" })
        }
    }

    @Test func aTraceThatCameBackIsCheckedAnew() {
        let id = TraceID(high: 3, low: 3)
        let a = Span(traceID: id, spanID: SpanID(1), name: "handler", startTime: 1, endTime: 2, resource: Self.api)
        let b = Span(traceID: id, spanID: SpanID(2), name: "db.query", startTime: 1, endTime: 2, resource: Self.api)
        var store = TraceStore(maxSpans: 2)
        store.add([a])
        var live = TraceFindings()
        var memo = Insights.Memo()
        live.update(store.trace(id)!, config: InsightConfig(), memo: &memo)
        #expect(live.findings.map(\.rule) == ["span-name-generic"])
        // Two other spans push the trace out; it comes back with a different first span.
        store.add([Span(traceID: TraceID(high: 9, low: 9), spanID: SpanID(5), name: "x", startTime: 1, endTime: 2, resource: Self.api),
                   Span(traceID: TraceID(high: 9, low: 9), spanID: SpanID(6), name: "y", startTime: 1, endTime: 2, resource: Self.api)])
        #expect(store.trace(id) == nil)
        store.add([b])
        let back = store.trace(id)!
        live.update(back, config: InsightConfig(), memo: &memo)
        #expect(live.findings == Insights.check(back))
        #expect(live.findings.isEmpty)
    }

    @Test func aNewConfigRechecksEverything() {
        let id = TraceID(high: 4, low: 4)
        let trace = Trace(id: id, spans: [Span(traceID: id, spanID: SpanID(1), name: "handler", startTime: 1, endTime: 2, resource: Self.api)])
        var live = TraceFindings()
        var memo = Insights.Memo()
        live.update(trace, config: InsightConfig(), memo: &memo)
        var quiet = InsightConfig()
        quiet.disabled = ["span-name-generic"]
        var quietMemo = Insights.Memo()
        live.update(trace, config: quiet, memo: &quietMemo)
        #expect(live.findings.isEmpty)
    }
}
