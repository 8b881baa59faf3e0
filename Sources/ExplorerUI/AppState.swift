import TraceInsights
import TraceModel

public enum Screen: Equatable, Sendable {
    case services, traces, waterfall, insights
}

/// Input to `update`: keys, terminal size, data from sources, and the clock.
public enum Msg: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case spans([Span])
    case health(SourceHealth)
    case decodeIssue(DecodeIssue)
    /// A source's one-off notice (a followed file truncated or rotated): shown as a message.
    case sourceNotice(String)
    /// Milliseconds of a monotonic clock; refreshes derived lists at a bounded rate.
    case tick(milliseconds: Int64)
    /// The services a remote backend knows (Jaeger), loaded or not.
    case remoteServices([String])
    /// Trace list rows from the backend for traces not fetched yet (Jaeger summaries).
    case remoteSummaries([TraceSummary])
    /// A `rebuildWaterfall` effect's result, and how long it took to run.
    case waterfallRebuilt(WaterfallRebuild.Result, tookMillis: Int64)
}

/// What `update` asks the outside world to do.
public enum Effect: Equatable, Sendable {
    case quit
    /// Put text on the user's clipboard via OSC 52 (works over SSH where allowed).
    case copy(String)
    /// Run (and keep re-running, while live) a search against the remote backend.
    case search(SearchForm.Search)
    /// Live updates paused or resumed: a polling source stops or restarts polling.
    case setPaused(Bool)
    /// Fetch one whole trace from the backend (its row came from a summary).
    case fetchTrace(TraceID)
    /// Run this off the main thread and send back `.waterfallRebuilt`: the open trace
    /// changed and is too big to rebuild between two keys.
    case rebuildWaterfall(WaterfallRebuild)
}

/// A scrollable list position.
public struct ListPosition: Equatable, Sendable {
    public var cursor = 0
    public var scroll = 0

    /// Clamps to `count` rows and keeps the cursor within a window of `visible` rows.
    public mutating func clamp(count: Int, visible: Int) {
        cursor = count == 0 ? 0 : min(max(cursor, 0), count - 1)
        let v = max(1, visible)
        if cursor < scroll { scroll = cursor }
        if cursor >= scroll + v { scroll = cursor - v + 1 }
        scroll = max(0, min(scroll, max(0, count - v)))
    }
}

public enum ServiceSort: Int, CaseIterable, Sendable {
    case name, spans, traces, errorRate, p50, p95, lastSeen

    public var title: String {
        ["SERVICE", "SPANS", "TRACES", "ERR%", "P50", "P95", "LAST SEEN"][rawValue]
    }
}

public struct ServicesViewState: Sendable {
    public var rows: [ServiceSummary] = []
    public var position = ListPosition()
    public var sort = ServiceSort.name
    public var filter = ""
    /// Findings per service: errors and warnings.
    public var findings: [String: (errors: Int, warnings: Int)] = [:]
}

public struct TracesViewState: Sendable {
    /// Set when opened from a service.
    public var service: String?
    public var errorsOnly = false
    public var query = ""
    public var rows: [TraceSummary] = [] {
        didSet {
            // Drawing needs these every frame; derive them once per change of the rows.
            let starts = rows.lazy.map(\.startTime)
            spansManyDays = (starts.max() ?? 0) - (starts.min() ?? 0) > 86_400_000_000_000
            longestDuration = max(1, rows.lazy.map(\.duration).max() ?? 1)
        }
    }
    public var position = ListPosition()
    /// Rows from several days show the date.
    public private(set) var spansManyDays = false
    public private(set) var longestDuration: Int64 = 1
}

public enum Pane: Sendable { case waterfall, detail }

public struct WaterfallViewState: Sendable {
    public var traceID: TraceID
    public var trace: Trace
    public var tree: TraceTree
    public var rows: [WaterfallRow] = []
    /// Folds, runs and the hiding filter.
    public var options = WaterfallOptions()
    public var position = ListPosition()
    public var focus = Pane.waterfall
    public var detail = ListPosition()
    public var search = ""
    /// `H`: show only spans matching `search`, with their ancestors.
    public var hideNonMatching = false
    /// Spans matching `search`, in display order (found even inside folds).
    public var matchSpans: [Int] = []
    /// Visible row indices holding a match.
    public var matches: [Int] = []
    /// Each span's place in the fully expanded tree, to step through matches in order.
    /// Worked out when a search needs it (`ensureDisplayRanks`): a walk of every span
    /// that the rebuild of a live trace nobody searches would pay each time.
    public var displayRank: [Int] = []
    /// The tracing guide's findings on this trace, by span.
    public var findings: [SpanID: [Finding]] = [:]
    /// False while a big trace opened before its check finished shows what was found so
    /// far; a background rebuild brings the rest.
    public var findingsComplete = true

    /// `previous`: this trace as shown before; when the trace only grew since, its tree
    /// is extended rather than built again.
    init(trace: Trace, findings: [Finding], growing previous: WaterfallViewState? = nil) {
        traceID = trace.id
        self.trace = trace
        tree = previous.flatMap { Self.grownTree(from: $0, to: trace) } ?? trace.tree()
        self.findings = Self.bySpan(findings)
        rootName = tree.rootSpanIndex(in: trace).map { trace.spans[$0].name } ?? ""
    }

    /// The shown tree with the spans appended since, if the trace only grew: the same
    /// trace (not one evicted and sent again), no span replaced.
    static func grownTree(from shown: WaterfallViewState, to trace: Trace) -> TraceTree? {
        let old = shown.trace
        guard old.id == trace.id, old.createdGeneration == trace.createdGeneration,
              old.duplicateCount == trace.duplicateCount, old.spanCount <= trace.spanCount else { return nil }
        return shown.tree.extended(to: trace, from: old.spanCount)
    }

    /// The span whose secret-looking values `R` revealed; cleared when the cursor moves.
    public var revealed: SpanID?
    /// The root span's name for the title bar (read off the tree: the earliest root).
    public var rootName = ""

    /// Ranks for this version of the trace (a new version starts without them).
    mutating func ensureDisplayRanks() {
        if displayRank.count != trace.spanCount { displayRank = Self.ranks(tree, count: trace.spanCount) }
    }

    static func ranks(_ tree: TraceTree, count: Int) -> [Int] {
        var rank = [Int](repeating: Int.max, count: count)
        var next = 0
        var stack = (tree.roots + tree.orphanGroups.flatMap(\.spans)).reversed().map { $0 }
        while let i = stack.popLast() {
            guard rank[i] == Int.max else { continue }
            rank[i] = next
            next += 1
            stack.append(contentsOf: tree.children[i].reversed())
        }
        return rank
    }

    static func bySpan(_ findings: [Finding]) -> [SpanID: [Finding]] {
        Dictionary(grouping: findings.filter { $0.spanID != nil }, by: { $0.spanID! })
    }

    public var selectedSpan: Span? {
        guard position.cursor < rows.count, let i = rows[position.cursor].spanIndex else { return nil }
        return trace.spans[i]
    }
}

public struct Prompt: Sendable {
    public var text = ""
    /// The screen whose list or waterfall the prompt filters.
    public var screen: Screen
}

/// Everything the explorer shows. Changed only by `update`.
public struct AppState: Sendable {
    public var store: TraceStore
    public var sourceName: String
    public var health: SourceHealth = .loading(bytesRead: 0, totalBytes: 0)
    public var decodeIssueCount = 0
    public var lastDecodeIssue: DecodeIssue?
    public var paused = false
    /// Spans that arrived while paused; applied on resume.
    public var held: [Span] = []
    public var width: Int
    public var height: Int
    public var screen = Screen.services
    public var services = ServicesViewState()
    public var insights = InsightsViewState()
    public var traces = TracesViewState()
    public var waterfall: WaterfallViewState?
    public var prompt: Prompt?
    public var showHelp = false
    /// Set for a source that can search (Jaeger): enables the search form.
    public var canSearch = false
    public var remoteServices: [String] = []
    /// Rows of traces the backend summarised but whose spans are not loaded.
    public var remoteSummaries: [TraceID: TraceSummary] = [:]
    public var searchForm: SearchForm?
    /// Effects queued by helpers while a key is handled.
    var pendingEffects: [Effect] = []
    /// The last search run, to prefill the form.
    public var lastSearchForm = SearchForm()
    public var help = ListPosition()
    /// A short note in the status bar (e.g. "copied"), cleared by the next key.
    public var message: String?
    public var utcOffsetSeconds = 0
    /// Mask secret-looking attribute values (on unless `--no-redact`).
    public var redact = true
    /// A trace asked for on the command line, opened as soon as it has arrived.
    public var pendingTraceToOpen: TraceID?
    public var servicePalette: [String: Int] = [:]
    /// Each trace's findings, kept until the trace changes: the services and Insights
    /// views refresh often while data streams in and share these.
    var findingsCache = PerTraceCache<FindingsEntry>()
    struct FindingsEntry {
        /// What an update of a big trace starts from (boxed: absent for most traces).
        /// A small trace keeps none: it is checked whole again when it changes, which
        /// costs its few spans, where keeping the state cost about 300 bytes a trace
        /// (30 MB for a million spans in small traces).
        var state: KeptFindingsState?
        var findings: [Finding]
        /// False when a budgeted pass checked only part of the trace.
        var complete = true
    }
    final class KeptFindingsState: Sendable {
        let state: TraceFindings
        init(_ state: TraceFindings) { self.state = state }
    }
    /// Traces of this many spans or more keep their findings state between updates.
    static let keepsFindingsStateFrom = 64
    /// Errors and warnings per service, kept up to date as traces change.
    var findingTotals = FindingTotals()
    /// The Insights view's groups, reworked per trace as traces change.
    var insightGroupsCache = InsightGroupsCache()
    /// The trace list for the query in use, reworked per trace as traces change.
    var traceListCache = TraceListCache()
    /// The services list, reworked per trace only when the trace changed.
    var serviceSummaryCache = ServiceSummaryCache()
    /// Verdicts on attribute keys and span names, shared by every trace checked.
    var insightMemo = Insights.Memo()
    /// The rules and secret keys (`--config`): findings and masking both follow it.
    public var insightConfig = InsightConfig() {
        didSet {
            findingsCache = PerTraceCache()
            findingTotals = FindingTotals()
            insightGroupsCache = InsightGroupsCache()
            insightMemo = Insights.Memo()
        }
    }
    /// Set whenever what is shown may have changed; the main loop clears it after drawing.
    public var needsRender = true
    var shownGeneration = -1
    var lastRefreshMillis: Int64?
    /// The least time between two recomputations of lists while data streams in.
    public var refreshIntervalMillis: Int64 = 200
    /// An open trace of this many spans or more is rebuilt off the main thread when it
    /// changes (a `rebuildWaterfall` effect); smaller ones are rebuilt in place.
    public var backgroundRebuildSpans = 20_000
    /// The rebuild handed out and not answered yet; no second one starts meanwhile.
    var rebuildInFlight: Int?
    var rebuildSerial = 0
    /// No new rebuild before this tick: one rebuild's cost of rest between two, so a
    /// live million-span trace takes at most about half a core.
    var nextRebuildMillis: Int64 = 0
    var lastTickMillis: Int64 = 0
    /// Effects raised by a refresh (asking for a rebuild), whatever triggered it;
    /// returned by the `update` that raised them.
    var refreshEffects: [Effect] = []

    public init(store: TraceStore = TraceStore(), sourceName: String, width: Int = 80, height: Int = 24) {
        self.store = store
        self.sourceName = sourceName
        self.width = width
        self.height = height
        refresh()
    }

    /// One trace's findings, from the cache unless the trace changed since, then brought
    /// up to date incrementally.
    mutating func findings(for trace: Trace) -> [Finding] {
        var unlimited = Int.max
        return findingsEntry(for: trace, budget: &unlimited)!.findings
    }

    /// The same within a budget of spans to check, taken from `budget`: a big trace may
    /// come back partly checked (`complete` false) and nil means the budget was spent
    /// before this trace. A small trace is checked whole or not at all.
    mutating func findingsEntry(for trace: Trace, budget: inout Int) -> FindingsEntry? {
        if let cached = findingsCache.current(trace.id, generation: trace.storeGeneration), cached.complete { return cached }
        let small = trace.spanCount < Self.keepsFindingsStateFrom
        guard budget > 0 else { return nil }
        // Taken out while updated, so its arrays are not copied; for a big trace only
        // new spans and adopted orphans are checked, a small one is checked whole.
        var state = findingsCache.take(trace.id)?.state?.state ?? TraceFindings()
        budget -= state.update(trace, config: insightConfig, memo: &insightMemo, limit: small ? .max : budget)
        let complete = state.isComplete(for: trace)
        let kept = !small || !complete ? KeptFindingsState(state) : nil
        let entry = FindingsEntry(state: kept, findings: state.findings, complete: complete)
        findingsCache.set(entry, trace.id, generation: trace.storeGeneration)
        return entry
    }

    /// Keeps a rebuild's findings state for its version of the trace, unless the cache
    /// has moved on to a later version meanwhile (or holds this one complete).
    mutating func keepFindings(_ state: TraceFindings, of id: TraceID, generation: Int) {
        if let held = findingsCache.generation(of: id),
           held > generation || held == generation && findingsCache.latest(id)?.complete == true { return }
        findingsCache.set(FindingsEntry(state: KeptFindingsState(state), findings: state.findings, complete: true), id, generation: generation)
    }

    /// What a rebuild of this trace starts checking from: the cache's state, left in place.
    func findingsState(of trace: Trace) -> TraceFindings {
        findingsCache.latest(trace.id)?.state?.state ?? TraceFindings()
    }

    /// Spans a services or Insights refresh checks for findings at most; past them the
    /// rest waits for the next tick (`findingsBehind`), so a big load is checked in short
    /// steps between key reads instead of holding the keys up for seconds.
    public var findingsBudgetSpans = 4_000
    /// Spans a services refresh reworks the list for at most (about 10 ms of them; a
    /// share costs far less a span than a findings check); the rest wait in the same way.
    public var servicesBudgetSpans = 20_000
    /// Spans of held traces not checked yet by the shown view's findings pass.
    public internal(set) var findingsBehind = 0

    /// Errors and warnings found per service, over every held trace; recounts only the
    /// traces that changed since the last time.
    mutating func findingCountsByService() -> [String: (errors: Int, warnings: Int)] {
        // Taken out while it asks this state for findings (which updates the cache).
        var totals = findingTotals
        findingTotals = FindingTotals()
        var budget = findingsBudgetSpans
        withFindingsPass { state in totals.update(with: state.store) { state.findingsEntry(for: $0, budget: &budget) } }
        findingTotals = totals
        findingsBehind = uncheckedSpans(in: totals.pending)
        return totals.byService
    }

    /// Spans of these traces still waiting for a view's findings pass: those their
    /// findings have not covered yet, or all of a checked trace the pass has not taken
    /// in yet (its budget ran out first).
    func uncheckedSpans(in ids: [TraceID]) -> Int {
        var sum = 0
        for id in ids {
            guard let spans = store.traces.spanCount(of: id) else { continue }
            // A small trace is checked whole or not at all: it waits whole either way.
            // (Looking each up, of 100k waiting, was most of a budgeted step.)
            guard spans >= Self.keepsFindingsStateFrom, let trace = store.traces[id] else {
                sum += spans
                continue
            }
            let checked = findingsCache.current(id, generation: trace.storeGeneration)?.state?.state.checked ?? 0
            sum += checked < spans ? spans - checked : spans
        }
        return sum
    }

    /// Every held trace's findings, recomputed only for traces that changed.
    mutating func allFindings() -> [Finding] {
        var out: [Finding] = []
        withFindingsPass { state in
            for trace in state.store.traces.values { out += state.findings(for: trace) }
        }
        return out
    }

    /// Runs a pass that asks for the findings of (nearly) every held trace: the cache
    /// is sized for all of them first (growing it entry by entry moved every entry at
    /// each step) and rid of evicted traces after.
    mutating func withFindingsPass<Result>(_ pass: (inout AppState) -> Result) -> Result {
        findingsCache.reserveCapacity(store.traceCount)
        defer { findingsCache.prune(to: store) }
        return pass(&self)
    }

    /// Whether this span's detail masks secrets now.
    public func redacts(_ span: Span) -> Bool {
        redact && waterfall?.revealed != span.spanID
    }

    /// A stable colour slot per service, in order of first appearance.
    public mutating func paletteSlot(for service: String) -> Int {
        if let slot = servicePalette[service] { return slot }
        let slot = servicePalette.count % Role.paletteSize + 1
        servicePalette[service] = slot
        return slot
    }
}
