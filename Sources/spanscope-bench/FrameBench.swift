import ExplorerUI
import Foundation
import TraceModel
import TraceSources

/// Figure 4: drawing one frame into the cell grid. The cost must not grow with the data.
struct FrameBench {
    let plan: Plan
    let corpus: Corpus
    let width = 200
    let height = 60

    func run(_ report: inout Report) throws {
        printErr("frames")
        let reference = bestMedian { _ = blankFrame() }
        let refName = "fill a \(width)×\(height) grid"
        // Waterfall, scrolled to the middle, for traces of growing size.
        var sizes = [1_000, 10_000]
        if !plan.quick { sizes.append(100_000) }
        for size in sizes {
            let (store, id) = try traceStore(spans: size)
            var state = AppState(store: store, sourceName: "bench", width: width, height: height)
            state.openTrace(id)
            let rows = state.waterfall?.rows.count ?? 0
            state.update(.key(.char("e")))  // expand everything: the worst case for rows
            for _ in 0..<(max(rows, state.waterfall?.rows.count ?? 0) / 2 / max(1, height - 8)) { state.update(.key(.pageDown)) }
            let t = median(of: state)
            report.add(.init(section: "frame \(width)×\(height)", figure: "waterfall, \(Units.count(size))-span trace, middle",
                             value: Units.seconds(t), reference: refName, referenceValue: Units.seconds(reference),
                             ratio: reference / t, goal: "≤ 1 ms, flat in size"))
        }
        // Services and traces lists over many traces.
        let traces = plan.quick ? 10_000 : 100_000
        // Building the state computes the services list (with every trace's findings).
        // The state must hold the only copy of the store, as the explorer's does: a
        // second one would make the next add copy all 100k traces, and the live
        // figures below would time that copy instead of the refresh.
        var state = AppState(store: TraceStore(), sourceName: "bench", width: width, height: height)
        var built: TraceStore? = manyTraces(traces)
        let firstRefresh = Clock.time { state = AppState(store: built.take()!, sourceName: "bench", width: width, height: height) }
        // The findings are checked a budget of spans per tick after that first pass, as
        // the explorer's main loop does between key reads; the figure is the whole check,
        // the worst single tick is what a key can wait.
        let checkTicks = stepsUntilCaughtUp(&state, from: 1)
        let servicesRefresh = firstRefresh + checkTicks.reduce(0, +)
        let worstCheckTick = checkTicks.max() ?? 0, checkBudget = state.findingsBudgetSpans
        let services = median(of: state)
        report.add(.init(section: "frame \(width)×\(height)", figure: "services, \(Units.count(traces)) traces", value: Units.seconds(services),
                         reference: refName, referenceValue: Units.seconds(reference), ratio: reference / services, goal: "≤ 1 ms"))
        // Live: one more trace arrives while the services view is shown. The reference
        // is the same list worked out whole from the same store (the way before the
        // lists followed the store's change log).
        let liveServices = recomputeAfterNewTrace(&state, number: 1)
        let wholeServices = Stats.best(of: plan.quick ? 1 : 3) { Clock.time { _ = state.store.serviceSummaries() } }
        var openList = Clock.now()
        state.update(.key(.char("t")))
        openList = Clock.now() - openList
        let liveList = recomputeAfterNewTrace(&state, number: 2)
        let wholeList = Stats.best(of: plan.quick ? 1 : 3) { Clock.time { _ = state.store.traceSummaries() } }
        for _ in 0..<5 { state.update(.key(.pageDown)) }
        let list = median(of: state)
        // The same state moves on to the Insights view (a copy would share the store).
        var insightsState = consume state
        let firstInsights = Clock.time { insightsState.update(.key(.char("i"))) }
        let insightsTicks = stepsUntilCaughtUp(&insightsState, from: 1 << 41)
        let openInsights = firstInsights + insightsTicks.reduce(0, +)
        let worstInsightsTick = insightsTicks.max() ?? 0
        let liveInsights = recomputeAfterNewTrace(&insightsState, number: 3)
        report.add(.init(section: "frame \(width)×\(height)", figure: "traces, \(Units.count(traces)) traces", value: Units.seconds(list),
                         reference: refName, referenceValue: Units.seconds(reference), ratio: reference / list, goal: "≤ 1 ms"))
        report.add(.init(section: "refresh", figure: "services list + findings, \(Units.count(traces)) traces", value: Units.seconds(servicesRefresh),
                         reference: refName, referenceValue: Units.seconds(reference), ratio: reference / servicesRefresh, goal: "off the key path"))
        report.add(.init(section: "refresh", figure: "  its first step",
                         value: Units.seconds(firstRefresh), reference: "services list worked out whole", referenceValue: Units.seconds(wholeServices),
                         ratio: wholeServices / firstRefresh, goal: "≤ 50 ms: on the key"))
        report.add(.init(section: "refresh", figure: "  worst of the \(checkTicks.count) steps after (\(Units.count(checkBudget)) spans)",
                         value: Units.seconds(worstCheckTick), reference: "services list + findings", referenceValue: Units.seconds(servicesRefresh),
                         ratio: servicesRefresh / worstCheckTick, goal: "≤ 50 ms: between keys"))
        report.add(.init(section: "refresh", figure: "  same, after 1 new trace (live)", value: Units.seconds(liveServices),
                         reference: "services list worked out whole", referenceValue: Units.seconds(wholeServices),
                         ratio: wholeServices / liveServices, goal: "a few ms: on the main loop"))
        report.add(.init(section: "refresh", figure: "traces list, \(Units.count(traces)) traces", value: Units.seconds(openList),
                         reference: refName, referenceValue: Units.seconds(reference), ratio: reference / openList, goal: "off the key path"))
        report.add(.init(section: "refresh", figure: "  same, after 1 new trace (live)", value: Units.seconds(liveList),
                         reference: "trace list worked out whole", referenceValue: Units.seconds(wholeList),
                         ratio: wholeList / liveList, goal: "a few ms: on the main loop"))
        report.add(.init(section: "refresh", figure: "insights, \(Units.count(traces)) traces", value: Units.seconds(openInsights),
                         reference: refName, referenceValue: Units.seconds(reference), ratio: reference / openInsights, goal: "off the key path"))
        report.add(.init(section: "refresh", figure: "  its first step", value: Units.seconds(firstInsights),
                         reference: "insights, whole", referenceValue: Units.seconds(openInsights),
                         ratio: openInsights / firstInsights, goal: "≤ 50 ms: on the key"))
        report.add(.init(section: "refresh", figure: "  worst of the \(insightsTicks.count) steps after", value: Units.seconds(worstInsightsTick),
                         reference: "insights, whole", referenceValue: Units.seconds(openInsights),
                         ratio: openInsights / worstInsightsTick, goal: "≤ 50 ms: between keys"))
        report.add(.init(section: "refresh", figure: "  same, after 1 new trace (live)", value: Units.seconds(liveInsights),
                         reference: "insights on open", referenceValue: Units.seconds(openInsights),
                         ratio: openInsights / liveInsights, goal: "a few ms: on the main loop"))
    }

    /// Ticks (at `from` ms and on) until the shown view has taken everything in; the
    /// time of each.
    private func stepsUntilCaughtUp(_ state: inout AppState, from: Int64) -> [Double] {
        var ticks: [Double] = []
        while state.findingsBehind > 0 {
            let now = from + Int64(ticks.count)
            ticks.append(Clock.time { state.update(.tick(milliseconds: now)) })
        }
        return ticks
    }

    /// A new one-span trace arrives; the time of the recompute of the current view that
    /// follows (findings are checked for the new trace only).
    private func recomputeAfterNewTrace(_ state: inout AppState, number: UInt64) -> Double {
        state.update(.spans([Span(traceID: TraceID(high: 0x5eed, low: number), spanID: SpanID(1), name: "GET /late", kind: .server,
                                  startTime: 1_796_000_000_000_000_000, endTime: 1_796_000_000_100_000_000,
                                  resource: Resource(serviceName: "api-gateway"))]))
        // Far past the refresh interval, so this tick recomputes.
        return Clock.time { state.update(.tick(milliseconds: Int64(number) << 40)) }
    }

    private func median(of state: AppState) -> Double {
        bestMedian { _ = render(state) }
    }

    /// The lowest of three medians of a round of frames: a burst of load from another
    /// tenant of this shared box shifts a whole round, not the best one.
    private func bestMedian(_ body: () -> Void) -> Double {
        let rounds = plan.quick ? 1 : 3, frames = plan.quick ? 30 : 200
        return Stats.best(of: rounds) { Stats.median((0..<frames).map { _ in Clock.time(body) }) }
    }

    private func blankFrame() -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let line = String(repeating: "x", count: width)
        for y in 0..<height { canvas.put(line, x: 0, y: y, style: Style()) }
        return canvas
    }

    private func traceStore(spans: Int) throws -> (TraceStore, TraceID) {
        if spans == corpus.bigTrace.spans { return (try loadStore(corpus.bigTrace), corpus.bigTrace.traceID!) }
        var generator = CorpusGenerator(seed: UInt64(spans))
        let path = plan.dir + "/frame-\(spans).jsonl"
        var sink = try FileSink(path: path)
        let id = generator.writeBigTrace(to: &sink, spans: spans)
        sink.close()
        defer { unlink(path) }
        return (try loadStore(CorpusFile(path: path, bytes: fileSize(path), spans: spans, traceID: id)), id)
    }

    /// Small three-span traces over seven services.
    private func manyTraces(_ count: Int) -> TraceStore {
        var store = TraceStore(maxSpans: Int.max / 2)
        var rng = DemoRandom(seed: 99)
        let services = ["api-gateway", "auth", "user", "payment", "inventory", "search", "notification"].map { Resource(serviceName: $0) }
        var batch: [Span] = []
        for t in 0..<count {
            let id = TraceID(high: rng.next(), low: rng.next())
            let start = 1_795_000_000_000_000_000 + Int64(t) * 1_000_000
            let root = SpanID(rng.next() | 1), child = SpanID(rng.next() | 1)
            let svc = services[rng.below(services.count)], down = services[rng.below(services.count)]
            batch.append(Span(traceID: id, spanID: root, name: "GET /api/items/{id}", kind: .server, startTime: start,
                              endTime: start + Int64(rng.below(90_000_000)), resource: svc))
            batch.append(Span(traceID: id, spanID: child, parentSpanID: root, name: "SELECT items", kind: .client, startTime: start + 1000,
                              endTime: start + 900_000, status: SpanStatus(code: rng.below(50) == 0 ? .error : .unset), resource: svc))
            batch.append(Span(traceID: id, spanID: SpanID(rng.next() | 1), parentSpanID: child, name: "POST /reserve", kind: .server,
                              startTime: start + 2000, endTime: start + 800_000, resource: down))
            if batch.count >= 3000 {
                store.add(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        store.add(batch)
        return store
    }
}
