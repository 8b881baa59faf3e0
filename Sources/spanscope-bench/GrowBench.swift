import ExplorerUI
import Foundation
import TraceInsights
import TraceModel

/// Figure 3b: the open big trace grows while it is shown (a live source). What the main
/// loop pays per refresh (spans into the store, findings for the new spans, taking the
/// rebuilt waterfall) beside what a rebuild and a whole check on the main thread cost,
/// as every refresh did before rebuilds moved to a thread of their own.
struct GrowBench {
    let plan: Plan
    let corpus: Corpus

    func run(_ report: inout Report) throws {
        printErr("a big open trace grows")
        for file in [corpus.bigTrace!, corpus.hugeTrace!] {
            guard let id = file.traceID, let whole = try loadStore(file).trace(id) else {
                throw BenchError("\(file.name): the trace did not load")
            }
            let batchSize = 1_000
            let batches = 3
            let spans = whole.spans
            var store = TraceStore(maxSpans: Int.max / 2)
            store.add(Array(spans[..<(spans.count - batches * batchSize)]))
            // The first look at the store checks the whole trace once, as at load.
            var state = AppState(store: store, sourceName: file.name, width: 200, height: 60)
            state.openTrace(id)
            state.refreshIntervalMillis = 0
            state.backgroundRebuildSpans = 1  // the path of traces over 20k spans, also for --quick's 10k
            var ingest: [Double] = [], main: [Double] = [], background: [Double] = []
            for b in 0..<batches {
                let start = spans.count - (batches - b) * batchSize
                let batch = Array(spans[start..<start + batchSize])
                var effects: [Effect] = []
                let addSeconds = Clock.time { state.update(.spans(batch)) }
                let tickSeconds = Clock.time { effects = state.update(.tick(milliseconds: Int64(b + 1) * 1_000_000)) }
                guard case .rebuildWaterfall(let job)? = effects.first(where: { if case .rebuildWaterfall = $0 { true } else { false } }) else {
                    throw BenchError("\(file.name): no rebuild was asked for")
                }
                var result: WaterfallRebuild.Result?
                let runSeconds = Clock.time { result = job.run() }
                let adoptSeconds = Clock.time { state.update(.waterfallRebuilt(result!, tookMillis: 0)) }
                ingest.append(addSeconds)
                main.append(addSeconds + tickSeconds + adoptSeconds)
                background.append(runSeconds)
            }
            guard state.waterfall?.trace.spanCount == spans.count else { throw BenchError("\(file.name): the rebuild did not land") }
            let trace = state.store.trace(id)!
            let wholeCheck = Clock.time { _ = Insights.check(trace) }
            let before = wholeCheck + Stats.median(background)
            let n = Units.count(file.spans)
            let ref = "rebuild + whole check on the main thread"
            report.add(.init(section: "grow", figure: "\(n)-span trace open, +1,000 spans: main thread", value: Units.seconds(Stats.median(main)),
                             reference: ref, referenceValue: Units.seconds(before), ratio: before / Stats.median(main), goal: "≤ 50 ms"))
            report.add(.init(section: "grow", figure: "  of which spans into the store", value: Units.seconds(Stats.median(ingest)),
                             reference: ref, referenceValue: Units.seconds(before), ratio: before / Stats.median(ingest), goal: "-"))
            report.add(.init(section: "grow", figure: "  rebuild, on its own thread", value: Units.seconds(Stats.median(background)),
                             reference: ref, referenceValue: Units.seconds(before), ratio: before / Stats.median(background), goal: "-"))
        }
    }
}
