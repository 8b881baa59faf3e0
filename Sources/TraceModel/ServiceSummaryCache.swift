/// One trace's part of the per-service statistics, worked out once per version of the
/// trace: the services list adds and takes away these instead of walking every span it
/// holds on each recompute (a store of 100k traces took 0.3 s a refresh while data
/// streamed in).
public struct TraceServiceShare: Sendable {
    /// One service's part. Its entry durations and operation names lie in the share's
    /// flat arrays: three allocations a trace, not a set and an array per service
    /// (which held 850 bytes a trace, 18 MB for 21k small traces).
    struct Part: Sendable {
        var name: String
        var spans = 0
        var errors = 0
        var lastSeen: Int64 = 0
        var durationRange: Range<Int> = 0..<0
        var operationRange: Range<Int> = 0..<0
    }

    let parts: [Part]
    let durations: [Int64]
    /// Each part's operation names, once each.
    let operations: [String]

    /// A share as packed (`PackedServiceShares`): each part's ranges lie in the arrays.
    init(parts: [Part], durations: [Int64], operations: [String]) {
        self.parts = parts
        self.durations = durations
        self.operations = operations
    }

    func entryDurations(of part: Part) -> ArraySlice<Int64> { durations[part.durationRange] }
    func operations(of part: Part) -> ArraySlice<String> { operations[part.operationRange] }

    public init(_ trace: Trace) {
        var parts: [Part] = []
        var entries: [(part: Int, duration: Int64)] = []
        var names: [(part: Int, name: String)] = []
        // Few distinct names per trace: a list; a big trace with many gets a set.
        var manyNames: Set<PartName>?
        for span in trace.spans {
            let service = span.serviceName
            // A trace has a handful of services: a list beats hashing every span's.
            let k = parts.firstIndex { $0.name == service } ?? {
                parts.append(Part(name: service))
                return parts.count - 1
            }()
            parts[k].spans += 1
            if span.isError { parts[k].errors += 1 }
            parts[k].lastSeen = max(parts[k].lastSeen, span.endTime, span.startTime)
            let name = span.name
            if manyNames == nil, names.count >= 16 { manyNames = Set(names.map { PartName(part: $0.part, name: $0.name) }) }
            let isNew = manyNames.map { $0.contains(PartName(part: k, name: name)) == false }
                ?? !names.contains { $0.part == k && $0.name == name }
            if isNew {
                names.append((k, name))
                manyNames?.insert(PartName(part: k, name: name))
            }
            if trace.span(span.parentSpanID)?.serviceName != service { entries.append((k, span.duration)) }
        }
        // Grouped by part, each group in span order (a stable counting sort).
        var durations: [Int64] = []
        durations.reserveCapacity(entries.count)
        var operations: [String] = []
        operations.reserveCapacity(names.count)
        for k in parts.indices {
            let d = durations.count
            for e in entries where e.part == k { durations.append(e.duration) }
            parts[k].durationRange = d..<durations.count
            let o = operations.count
            for n in names where n.part == k { operations.append(n.name) }
            parts[k].operationRange = o..<operations.count
        }
        self.parts = parts
        self.durations = durations
        self.operations = operations
    }

    private struct PartName: Hashable {
        var part: Int
        var name: String
    }

    /// Per-service rows from the traces' shares, sorted by name.
    public static func summaries(_ shares: some Sequence<TraceServiceShare>) -> [ServiceSummary] {
        var totals: [String: ServiceTotals] = [:]
        for share in shares {
            for part in share.parts {
                totals[part.name, default: ServiceTotals(name: part.name)].add(part, of: share)
            }
        }
        return totals.keys.sorted().map { totals[$0]!.summary() }
    }
}

/// One service's sums over the shares added and not taken away since. Durations are
/// kept sorted; those added or taken away are merged in one pass when a row is asked
/// for, so a change costs its own spans plus one walk of the service's durations.
struct ServiceTotals: Sendable {
    let name: String
    private(set) var traces = 0
    private var spans = 0
    private var errors = 0
    /// The largest part's; after that part is taken away, only an upper bound until the
    /// owner works it out again (`setLastSeen`).
    private(set) var lastSeen: Int64 = 0
    private(set) var lastSeenIsBound = false
    private var durations: [Int64] = []
    private var durationsAdded: [Int64] = []
    private var durationsTaken: [Int64] = []
    /// How many of the shares added hold each operation.
    private var operations: [String: Int] = [:]
    private var sortedOperations: [String]?
    private var row: ServiceSummary?

    init(name: String) {
        self.name = name
    }

    mutating func add(_ part: TraceServiceShare.Part, of share: TraceServiceShare) {
        row = nil
        traces += 1
        spans += part.spans
        errors += part.errors
        if part.lastSeen >= lastSeen {
            lastSeen = part.lastSeen
            lastSeenIsBound = false
        }
        durationsAdded += share.entryDurations(of: part)
        for op in share.operations(of: part) {
            operations[op, default: 0] += 1
            if operations[op] == 1 { sortedOperations = nil }
        }
    }

    mutating func remove(_ part: TraceServiceShare.Part, of share: TraceServiceShare) {
        row = nil
        traces -= 1
        spans -= part.spans
        errors -= part.errors
        if part.lastSeen >= lastSeen { lastSeenIsBound = true }
        durationsTaken += share.entryDurations(of: part)
        for op in share.operations(of: part) {
            guard let n = operations[op] else { continue }
            if n > 1 {
                operations[op] = n - 1
            } else {
                operations[op] = nil
                sortedOperations = nil
            }
        }
    }

    mutating func setLastSeen(_ value: Int64) {
        row = nil
        lastSeen = value
        lastSeenIsBound = false
    }

    mutating func summary() -> ServiceSummary {
        if let row { return row }
        mergeDurations()
        var out = ServiceSummary(name: name)
        out.spanCount = spans
        out.errorCount = errors
        out.traceCount = traces
        out.lastSeen = lastSeen
        out.p50 = percentile(durations, 50)
        out.p95 = percentile(durations, 95)
        let ops = sortedOperations ?? operations.keys.sorted()
        sortedOperations = ops
        out.operations = ops
        row = out
        return out
    }

    /// Sorted durations minus those taken away (as a multiset), plus those added.
    private mutating func mergeDurations() {
        guard !durationsAdded.isEmpty || !durationsTaken.isEmpty else { return }
        if durations.isEmpty && durationsTaken.isEmpty {
            durations = durationsAdded
            durations.sort()
            durationsAdded = []
            return
        }
        durationsAdded.sort()
        durationsTaken.sort()
        var out: [Int64] = []
        out.reserveCapacity(durations.count + durationsAdded.count)
        var t = 0, a = 0
        for d in durations {
            while t < durationsTaken.count, durationsTaken[t] < d { t += 1 }
            if t < durationsTaken.count, durationsTaken[t] == d {
                t += 1
                continue
            }
            while a < durationsAdded.count, durationsAdded[a] <= d {
                out.append(durationsAdded[a])
                a += 1
            }
            out.append(d)
        }
        out += durationsAdded[a...]
        durations = out
        durationsAdded = []
        durationsTaken = []
    }
}

/// The services list kept across recomputes: it follows the store's change log, so a
/// recompute reworks the shares of the traces changed since the last one and nothing
/// else; a store it has not followed (or lost track of) is added up from scratch.
public struct ServiceSummaryCache: Sendable {
    private var shares = PackedServiceShares()
    private var totals: [String: ServiceTotals] = [:]
    private var cursor = ChangeCursor()

    public init() {}

    /// Traces changed but not reworked yet: the budget of the last pass ran out first.
    public private(set) var pending: [TraceID] = []

    /// The per-service rows, brought up to date with the store as far as `budgetSpans`
    /// goes: traces are reworked until that many spans have been, the rest wait in
    /// `pending` for the next call (keeping their old part meanwhile). A first look at
    /// a store loading fast took 0.1–0.2 s in one go, on the key path.
    /// With `pendingOnly`, only traces left waiting are taken up, not the changes made
    /// since: those wait for the next refresh (a trace of a million spans growing as it
    /// loads would otherwise be worked out again at every step, 0.15 s each).
    public mutating func summaries(of store: TraceStore, budgetSpans: Int = .max, pendingOnly: Bool = false) -> [ServiceSummary] {
        var budget = budgetSpans
        if let changed = pendingOnly ? [] : cursor.changes(in: store) {
            let todo = ChangeCursor.union(pending, changed)
            pending = []
            for (k, id) in todo.enumerated() {
                guard budget > 0 else {
                    pending = Array(todo[k...])
                    break
                }
                budget -= rework(id, in: store)
            }
        } else {
            shares.removeAll()
            totals = [:]
            // By index: reading a trace in place copies none.
            let traces = store.traces.values
            var i = traces.startIndex
            while i < traces.endIndex && budget > 0 {
                let share = TraceServiceShare(traces[i])
                add(share)
                shares.insert(share, for: traces[i].id, generation: traces[i].storeGeneration)
                budget -= traces[i].spanCount
                i += 1
            }
            pending = traces[i...].map(\.id)
        }
        restoreLastSeen()
        var rows: [ServiceSummary] = []
        rows.reserveCapacity(totals.count)
        for name in totals.keys.sorted() { rows.append(totals[name]!.summary()) }
        return rows
    }

    /// Brings one trace's share up to date: the one counted is taken away, the trace's
    /// current one (if still held) added. The spans read doing it.
    private mutating func rework(_ id: TraceID, in store: TraceStore) -> Int {
        let trace = store.traces[id]
        if let trace, shares.generation(of: id) == trace.storeGeneration { return 0 }
        if let old = shares.remove(id) { remove(old) }
        guard let trace else { return 0 }
        let share = TraceServiceShare(trace)
        add(share)
        shares.insert(share, for: id, generation: trace.storeGeneration)
        return trace.spanCount
    }

    private mutating func add(_ share: TraceServiceShare) {
        for part in share.parts { totals[part.name, default: ServiceTotals(name: part.name)].add(part, of: share) }
    }

    private mutating func remove(_ share: TraceServiceShare) {
        for part in share.parts {
            totals[part.name]?.remove(part, of: share)
            if totals[part.name]?.traces == 0 { totals[part.name] = nil }
        }
    }

    /// A service whose latest part was taken away: its last-seen time is worked out
    /// again from the shares held (rare: evicted traces are the oldest).
    private mutating func restoreLastSeen() {
        let stale = totals.values.filter(\.lastSeenIsBound).map(\.name)
        guard !stale.isEmpty else { return }
        var latest = Dictionary(uniqueKeysWithValues: stale.map { ($0, Int64(0)) })
        shares.forEach { share in
            for part in share.parts where latest[part.name] != nil {
                latest[part.name] = max(latest[part.name]!, part.lastSeen)
            }
        }
        for (name, value) in latest { totals[name]?.setLastSeen(value) }
    }
}
