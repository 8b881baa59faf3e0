import TraceInsights
import TraceModel

/// Rebuilding the open waterfall for a newer version of its trace: tree, ranks, search
/// matches and rows. For a big live trace that costs as much as opening it, so the state
/// hands it out as an effect, the main loop runs it on another thread, and the result
/// comes back as a message; the screen keeps showing the previous version meanwhile.
public struct WaterfallRebuild: Sendable, Equatable {
    public let serial: Int
    /// The waterfall as it was when the rebuild was asked for.
    let base: WaterfallViewState
    let trace: Trace
    /// The trace's findings as far as they were checked: the rebuild checks the rest
    /// (the new spans of a big live trace took seconds a refresh on the main thread).
    let checks: FindingsWork

    struct FindingsWork: Sendable {
        var state: TraceFindings
        let config: InsightConfig
        var memo: Insights.Memo
    }

    public var traceID: TraceID { trace.id }
    public var spanCount: Int { trace.spanCount }

    public static func == (a: WaterfallRebuild, b: WaterfallRebuild) -> Bool { a.serial == b.serial }

    /// Does the work; pure, and safe on any thread.
    public func run() -> Result {
        var work = checks
        work.state.update(trace, config: work.config, memo: &work.memo)
        return Result(serial: serial, base: base, state: base.rebuilt(with: trace, findings: work.state.findings),
                      findings: work.state, generation: trace.storeGeneration)
    }

    public struct Result: Sendable {
        public let serial: Int
        let base: WaterfallViewState
        let state: WaterfallViewState
        /// The trace's findings state, complete for the version rebuilt, for the cache.
        let findings: TraceFindings
        let generation: Int
    }
}

extension WaterfallViewState {
    /// This waterfall for a newer version of its trace: everything derived from the
    /// trace is recomputed under the same folds, search and filter; the cursor is left
    /// for the caller to put back.
    func rebuilt(with trace: Trace, findings: [Finding]) -> WaterfallViewState {
        var w = self
        w.takeTraceParts(from: WaterfallViewState(trace: trace, findings: findings, growing: self))
        AppState.findMatches(&w)
        AppState.relayout(&w, keeping: nil)
        return w
    }

    /// The parts that follow from the trace alone (what the initializer works out).
    private mutating func takeTraceParts(from other: WaterfallViewState) {
        trace = other.trace
        tree = other.tree
        displayRank = other.displayRank
        rootName = other.rootName
        findings = other.findings
        findingsComplete = other.findingsComplete
    }

    /// The store holds a newer version of this trace than the one shown.
    func isBehind(_ current: Trace) -> Bool {
        current.revision != trace.revision || current.spanCount != trace.spanCount
    }

    /// The span the cursor stands for, by id (indices change between versions).
    var anchorSpanID: SpanID? {
        guard rows.indices.contains(position.cursor), let i = rows[position.cursor].anchorSpan else { return nil }
        return trace.spans[i].spanID
    }

    /// Takes a rebuild's trace-derived parts, keeping this state's place and whatever
    /// the user changed since the rebuild was asked for (folds, search, filter): those
    /// are applied to the new version here.
    mutating func adopt(_ result: WaterfallRebuild.Result) {
        let anchor = anchorSpanID
        let fresh = result.state
        let userChanged = options != result.base.options || search != result.base.search
            || hideNonMatching != result.base.hideNonMatching
        takeTraceParts(from: fresh)
        if userChanged {
            AppState.findMatches(&self)
            AppState.relayout(&self, keeping: nil)
        } else {
            matchSpans = fresh.matchSpans
            options.keep = fresh.options.keep
            rows = fresh.rows
            matches = fresh.matches
        }
        AppState.place(&self, keeping: anchor.flatMap(trace.index(of:)))
    }
}
