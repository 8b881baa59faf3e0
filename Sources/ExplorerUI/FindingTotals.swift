import TraceInsights
import TraceModel

/// Errors and warnings found per service over every held trace, for the services view.
/// Like the services list it follows the store's change log: a recompute recounts the
/// traces changed since the last one (100k traces took 0.15 s a refresh to sum).
struct FindingTotals: Sendable {
    typealias Counts = [(service: String, errors: Int, warnings: Int)]
    private(set) var byService: [String: (errors: Int, warnings: Int)] = [:]
    /// What each trace added to `byService`, for which version of it, and whether its
    /// findings were complete then.
    private var counted: [TraceID: (generation: Int, complete: Bool, counts: Counts)] = [:]
    private var cursor = ChangeCursor()
    /// Traces changed but not counted whole yet: the findings budget ran out first.
    private(set) var pending: [TraceID] = []

    /// Brings the totals up to date with the store as far as `findings` goes: it gives
    /// a trace's findings, maybe partial, or nil once its budget is spent. Traces it
    /// did not finish are taken up again by the next update.
    mutating func update(with store: TraceStore, findings: (Trace) -> AppState.FindingsEntry?) {
        var todo: [TraceID]
        if let changed = cursor.changes(in: store) {
            todo = ChangeCursor.union(pending, changed)
        } else {
            byService = [:]
            // Sized for every trace at once: grown on the way, its last rehash (of
            // 100k entries) was a step of its own.
            counted = Dictionary(minimumCapacity: store.traces.count)
            todo = Array(store.traces.keys)
        }
        pending = []
        for (k, id) in todo.enumerated() {
            guard let trace = store.traces[id] else {
                if let old = counted.removeValue(forKey: id) { apply(old.counts, sign: -1) }
                continue
            }
            if let c = counted[id], c.complete, c.generation == trace.storeGeneration { continue }
            guard let entry = findings(trace) else {
                // Out of budget: the rest keeps its old counts until it is checked.
                pending += todo[k...]
                break
            }
            if let old = counted.removeValue(forKey: id) { apply(old.counts, sign: -1) }
            count(trace, entry.findings, complete: entry.complete)
            if !entry.complete { pending.append(id) }
        }
    }

    private mutating func count(_ trace: Trace, _ findings: [Finding], complete: Bool) {
        var counts: Counts = []
        for f in findings where f.severity >= .warning {
            let k = counts.firstIndex { $0.service == f.service } ?? {
                counts.append((f.service, 0, 0))
                return counts.count - 1
            }()
            if f.severity == .error { counts[k].errors += 1 } else { counts[k].warnings += 1 }
        }
        apply(counts, sign: 1)
        counted[trace.id] = (trace.storeGeneration, complete, counts)
    }

    private mutating func apply(_ counts: Counts, sign: Int) {
        for c in counts {
            var total = byService[c.service, default: (0, 0)]
            total.errors += sign * c.errors
            total.warnings += sign * c.warnings
            byService[c.service] = total == (0, 0) ? nil : total
        }
    }
}
