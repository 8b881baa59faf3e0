/// All traces held in memory, bounded by a span budget. Pure: sources feed it batches,
/// the UI and `show` query it.
public struct TraceStore: Sendable {
    public private(set) var traces = TraceTable()
    /// Trace ids in first-arrival order, for eviction; `arrivalHead` skips evicted ones.
    private var arrival: [TraceID] = []
    private var arrivalHead = 0
    public private(set) var spanCount = 0
    public let maxSpans: Int
    public private(set) var evictedTraces = 0
    public private(set) var evictedSpans = 0
    /// Spans not kept because their trace alone already held `maxSpans`.
    public private(set) var spansOverCap = 0
    /// Bumped on every change; views cache derived data against it.
    public private(set) var generation = 0
    /// Which traces each generation added, changed or evicted, oldest first: a view that
    /// saw generation g reworks only the traces logged after it, not all it holds.
    private var changeLog: [(generation: Int, id: TraceID)] = []
    /// Entries up to this generation were dropped to bound the log.
    private var changeLogDroppedThrough = 0

    /// Tells this store's history apart from another's: generations and the change log
    /// mean something only to a view that followed this store (copies share it).
    public let lineage = UInt64.random(in: .min ... .max)

    public init(maxSpans: Int = 1_000_000) {
        self.maxSpans = max(1, maxSpans)
    }

    public var traceCount: Int { traces.count }

    public mutating func add(_ batch: [Span]) {
        guard !batch.isEmpty else { return }
        batch.withUnsafeBufferPointer { spans in
            add(count: spans.count, traceID: { spans[$0].traceID }, take: { spans[$0] })
        }
    }

    /// Adds a batch the caller gives up (left empty): each span is moved into its trace
    /// instead of copied. A copy retains the references a span holds (name, attributes,
    /// origin, rare fields) and dropping the batch releases them again, for every span
    /// of a file load.
    public mutating func add(taking batch: inout [Span]) {
        var owned: [Span] = []
        swap(&owned, &batch)
        let count = owned.count
        guard count > 0 else { return }
        // Reversed, so `removeLast` (which moves a span out, where a subscript copies
        // it) hands them over in batch order; span `i` of the batch is at `count - 1 - i`.
        // Swapped through pointers: `reverse()` copies each span (retains) to swap it.
        owned.withUnsafeMutableBufferPointer { spans in
            var (i, j) = (0, spans.count - 1)
            while i < j {
                swap(&spans[i], &spans[j])
                i += 1
                j -= 1
            }
        }
        add(count: count, traceID: { owned[count - 1 - $0].traceID }, take: { _ in owned.removeLast() })
    }

    /// The one pass both `add`s make: `take(i)` hands over the span at `i`, once, in order.
    @inline(__always)
    private mutating func add(count: Int, traceID: (Int) -> TraceID, take: (Int) -> Span) {
        generation &+= 1
        // A batch holds its traces' spans in runs: a run's trace is looked up once. An
        // index stays valid until the next insertion, which only a new id makes.
        var last: (id: TraceID, position: Int)?
        for offset in 0..<count {
            let id = traceID(offset)
            // One hash lookup per run of a trace (two for a new trace); the trace is
            // changed in place.
            let position: Int
            if let last, last.id == id {
                position = last.position
            } else {
                if let found = traces.position(of: id) {
                    position = found
                } else {
                    var trace = Trace(id: id)
                    trace.createdGeneration = generation
                    position = traces.insert(trace)
                    arrival.append(id)
                }
                var runEnd = offset + 1
                while runEnd < count, traceID(runEnd) == id { runEnd += 1 }
                traces.values[position].reserveCapacity(forAppending: runEnd - offset)
            }
            last = (id, position)
            let changedBefore = traces.values[position].storeGeneration
            // The one copy of the span is handed down to the trace's rows (consumed at
            // each step), not copied again on the way.
            spanCount += Self.add(take(offset), to: &traces.values[position], maxSpans: maxSpans, generation: generation,
                                  spansOverCap: &spansOverCap)
            // Logged once per batch, at the trace's first change in it (a span over the
            // cap changes nothing).
            if changedBefore != generation && traces.values[position].storeGeneration == generation {
                changeLog.append((generation, id))
            }
        }
        evictIfNeeded()
        trimChangeLog()
    }

    /// Ids of the traces added, changed or evicted after generation `since`, oldest
    /// first (an id may repeat); nil when the log no longer reaches back that far, and
    /// the caller has to look at every trace.
    public func changedTraces(since: Int) -> [TraceID]? {
        guard since >= changeLogDroppedThrough else { return nil }
        var low = 0, high = changeLog.count
        while low < high {
            let mid = (low + high) / 2
            if changeLog[mid].generation <= since { low = mid + 1 } else { high = mid }
        }
        return changeLog[low...].map(\.id)
    }

    /// Keeps the log within twice the traces held (plus slack): a view that has not
    /// looked for that long does one full pass instead.
    private mutating func trimChangeLog() {
        let limit = 2 * traces.count + 4096
        guard changeLog.count > limit else { return }
        let drop = changeLog.count - limit / 2
        changeLogDroppedThrough = changeLog[drop - 1].generation
        // Whole generations only, so `since` splits the log cleanly.
        var end = drop
        while end < changeLog.count, changeLog[end].generation == changeLogDroppedThrough { end += 1 }
        changeLog.removeFirst(end)
    }

    /// Adds one span to its trace; returns how many spans the trace gained (0 or 1).
    private static func add(_ span: consuming Span, to trace: inout Trace, maxSpans: Int, generation: Int,
                            spansOverCap: inout Int) -> Int {
        let before = trace.spanCount
        if before >= maxSpans, trace.index(of: span.spanID) == nil {
            trace.countOverCap()
            spansOverCap += 1
            return 0
        }
        trace.add(span)
        trace.storeGeneration = generation
        return trace.spanCount - before
    }

    public mutating func add(_ span: Span) { add([span]) }

    /// Drops whole traces, oldest arrival first, until the budget holds. A trace is never
    /// split: one trace alone keeps at most `maxSpans`, later spans of it are counted.
    private mutating func evictIfNeeded() {
        while spanCount > maxSpans, arrivalHead < arrival.count {
            let id = arrival[arrivalHead]
            arrivalHead += 1
            guard let trace = traces.remove(id) else { continue }
            changeLog.append((generation, id))
            spanCount -= trace.spanCount
            evictedTraces += 1
            evictedSpans += trace.spanCount
        }
        if arrivalHead > 4096 && arrivalHead * 2 > arrival.count {
            arrival.removeFirst(arrivalHead)
            arrivalHead = 0
        }
    }

    public func trace(_ id: TraceID) -> Trace? { traces[id] }

    /// Traces matching the filter, newest start first.
    public func traceSummaries(_ filter: TraceFilter = TraceFilter()) -> [TraceSummary] {
        traces.values.lazy.filter(filter.matches).map(TraceSummary.init)
            .sorted { $0.startTime != $1.startTime ? $0.startTime > $1.startTime : $0.traceID < $1.traceID }
    }

    /// Per-service statistics, sorted by name (the explorer keeps a
    /// `ServiceSummaryCache` instead, which reworks only the traces that changed).
    public func serviceSummaries() -> [ServiceSummary] {
        TraceServiceShare.summaries(traces.values.lazy.map(TraceServiceShare.init))
    }
}

/// How far a view that follows a store's change log has read it. The first call, a
/// different store, or a log that has moved past what was read, asks for a full pass.
public struct ChangeCursor: Sendable {
    private var seen: (lineage: UInt64, generation: Int)?

    public init() {}

    /// Every id of both once: those of `pending` (ids once each) not in `changed`, then
    /// `changed` (the log names a trace once per change: a trace growing as it loads is
    /// in it many times). The set is of `changed`, the traces changed since the last
    /// pass, which are few; `pending`, what a budgeted pass left, may be every trace
    /// held (a set of 100k of them each step was a quarter of such a step).
    public static func union(_ pending: [TraceID], _ changed: [TraceID]) -> [TraceID] {
        if changed.isEmpty { return pending }
        var later = Set<TraceID>()
        let fresh = changed.filter { later.insert($0).inserted }
        if pending.isEmpty { return fresh }
        return pending.filter { !later.contains($0) } + fresh
    }

    /// The traces changed since the last call, or nil when every trace must be looked
    /// at; either way, the store's current generation counts as read.
    public mutating func changes(in store: TraceStore) -> [TraceID]? {
        defer { seen = (store.lineage, store.generation) }
        guard let seen, seen.lineage == store.lineage else { return nil }
        return store.changedTraces(since: seen.generation)
    }
}
