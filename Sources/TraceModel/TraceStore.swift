/// All traces held in memory, bounded by a span budget. Pure: sources feed it batches,
/// the UI and `show` query it.
public struct TraceStore: Sendable {
    public private(set) var traces: [TraceID: Trace] = [:]
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

    public init(maxSpans: Int = 1_000_000) {
        self.maxSpans = max(1, maxSpans)
    }

    public var traceCount: Int { traces.count }

    public mutating func add(_ batch: [Span]) {
        guard !batch.isEmpty else { return }
        generation &+= 1
        for span in batch {
            // One hash lookup per span (two for a new trace); the trace is changed in place.
            let position: Dictionary<TraceID, Trace>.Index
            if let found = traces.index(forKey: span.traceID) {
                position = found
            } else {
                var trace = Trace(id: span.traceID)
                trace.createdGeneration = generation
                traces[span.traceID] = trace
                arrival.append(span.traceID)
                position = traces.index(forKey: span.traceID)!
            }
            spanCount += Self.add(span, to: &traces.values[position], maxSpans: maxSpans, generation: generation,
                                  spansOverCap: &spansOverCap)
        }
        evictIfNeeded()
    }

    /// Adds one span to its trace; returns how many spans the trace gained (0 or 1).
    private static func add(_ span: Span, to trace: inout Trace, maxSpans: Int, generation: Int,
                            spansOverCap: inout Int) -> Int {
        let before = trace.spanCount
        if before >= maxSpans, trace.index(of: span.spanID) == nil {
            trace.spansOverCap += 1
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
            guard let trace = traces.removeValue(forKey: id) else { continue }
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
