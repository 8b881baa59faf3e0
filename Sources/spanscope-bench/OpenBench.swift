import ExplorerUI
import Foundation
import TraceModel
import TraceSources

/// Figure 3: opening a big trace, from its spans to the flattened waterfall on screen.
struct OpenBench {
    let plan: Plan
    let corpus: Corpus

    func run(_ report: inout Report) throws {
        printErr("open a trace")
        for file in [corpus.bigTrace!, corpus.hugeTrace!] {
            let store = try loadStore(file)
            guard let id = file.traceID, let trace = store.trace(id), trace.spanCount == file.spans else {
                throw BenchError("\(file.name): the trace did not load whole")
            }
            let runs = file.spans >= 1_000_000 ? 3 : max(3, plan.repeats * 2)
            let spans = trace.spans
            let starts = spans.map(\.startTime)
            let sortSeconds = Stats.median((0..<runs).map { _ in Clock.time { _ = starts.sorted() } })
            let assemble = Stats.median((0..<runs).map { _ in Clock.time { _ = Trace(id: id, spans: spans) } })
            let flatten = Stats.median((0..<runs).map { _ in
                Clock.time { _ = WaterfallLayout.rows(trace: trace, tree: TraceTree(trace: trace), collapsed: []) }
            })
            let open = Stats.median((0..<runs).map { _ in
                var state = AppState(store: store, sourceName: file.name, width: 200, height: 60)
                return Clock.time { state.openTrace(id) }
            })
            let goal = file.spans >= 1_000_000 ? "≤ 1 s" : "≤ 50 ms"
            let ref = "sort \(Units.count(file.spans)) start times"
            let refValue = Units.seconds(sortSeconds)
            let n = Units.count(file.spans)
            report.add(.init(section: "open", figure: "\(n)-span trace: assemble (index spans)", value: Units.seconds(assemble),
                             reference: ref, referenceValue: refValue, ratio: sortSeconds / assemble, goal: "-"))
            report.add(.init(section: "open", figure: "\(n)-span trace: tree + flatten", value: Units.seconds(flatten),
                             reference: ref, referenceValue: refValue, ratio: sortSeconds / flatten, goal: goal))
            report.add(.init(section: "open", figure: "\(n)-span trace: open in the UI (+ findings)", value: Units.seconds(open),
                             reference: ref, referenceValue: refValue, ratio: sortSeconds / open, goal: "-"))
        }
    }
}

func loadStore(_ file: CorpusFile) throws -> TraceStore {
    var store = TraceStore(maxSpans: Int.max / 2)
    try FileLoader.stream(path: file.path) { store.add(taking: &$0.spans) }
    return store
}
