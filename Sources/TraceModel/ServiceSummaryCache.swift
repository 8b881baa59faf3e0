/// One trace's part of the per-service statistics, worked out once per version of the
/// trace: the services list merges these instead of walking every span it holds on each
/// recompute (a store of 100k traces took 0.3 s a refresh while data streamed in).
public struct TraceServiceShare: Sendable {
    struct Part: Sendable {
        var name: String
        var spans = 0
        var errors = 0
        var lastSeen: Int64 = 0
        var entryDurations: [Int64] = []
        var operations = Set<String>()
    }

    let parts: [Part]

    public init(_ trace: Trace) {
        var parts: [Part] = []
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
            parts[k].operations.insert(span.name)
            if trace.span(span.parentSpanID)?.serviceName != service { parts[k].entryDurations.append(span.duration) }
        }
        self.parts = parts
    }

    /// Per-service rows from the traces' shares, sorted by name.
    public static func summaries(_ shares: some Sequence<TraceServiceShare>) -> [ServiceSummary] {
        var totals: [String: ServiceTotals] = [:]
        for share in shares {
            for part in share.parts {
                totals[part.name, default: ServiceTotals(row: ServiceSummary(name: part.name))].add(part)
            }
        }
        return totals.values.map(\.summary).sorted { $0.name < $1.name }
    }
}

/// One service's sums over the traces merged so far.
private struct ServiceTotals {
    var row: ServiceSummary
    var durations: [Int64] = []
    var operations = Set<String>()

    mutating func add(_ part: TraceServiceShare.Part) {
        row.spanCount += part.spans
        row.errorCount += part.errors
        row.traceCount += 1
        row.lastSeen = max(row.lastSeen, part.lastSeen)
        durations += part.entryDurations
        operations.formUnion(part.operations)
    }

    var summary: ServiceSummary {
        var out = row
        let sorted = durations.sorted()
        out.p50 = percentile(sorted, 50)
        out.p95 = percentile(sorted, 95)
        out.operations = operations.sorted()
        return out
    }
}

/// The services list kept across recomputes: each trace's share is reworked only when
/// the trace changed (its store generation moved).
public struct ServiceSummaryCache: Sendable {
    private var shares = PerTraceCache<TraceServiceShare>()

    public init() {}

    public mutating func summaries(of store: TraceStore) -> [ServiceSummary] {
        var current: [TraceServiceShare] = []
        current.reserveCapacity(store.traceCount)
        // By index: reading a trace's id and generation in place copies no trace.
        let traces = store.traces.values
        for i in traces.indices {
            let id = traces[i].id, generation = traces[i].storeGeneration
            if let share = shares.current(id, generation: generation) {
                current.append(share)
            } else {
                let share = TraceServiceShare(traces[i])
                shares.set(share, id, generation: generation)
                current.append(share)
            }
        }
        shares.prune(to: store)
        return TraceServiceShare.summaries(current)
    }
}
