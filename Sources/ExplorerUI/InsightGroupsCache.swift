import TraceInsights
import TraceModel

/// The Insights view's groups, kept across recomputes: it follows the store's change
/// log, taking a changed trace's findings out of their groups and putting its current
/// ones in, and tallies span names per trace for the cross-trace name rule. A store of
/// 100k traces took seconds a refresh to group whole.
struct InsightGroupsCache: Sendable {
    private struct Key: Hashable, Sendable {
        var rule: String
        var service: String
    }

    /// A group's findings ordered by trace and span (a trace's are one run), and how
    /// many traces they come from.
    private struct Group: Sendable {
        var findings: [Finding] = []
        var traces = 0
        /// How many findings from the start are in order; those past it were appended
        /// by the update under way (a trace's run is in one part or the other).
        var ordered = 0

        /// Orders the findings by trace and span, keeping the order of a span's own: their
        /// keys are sorted, then the findings swapped into place along the permutation's
        /// cycles (sorting or copying the findings themselves retains and releases each
        /// one's strings again and again: 50 ms for 100k findings).
        mutating func order() {
            var keys = findings.indices.map { (InsightsView.orderKey(findings[$0]), $0) }
            keys.sort { ($0.0.0, $0.0.1, $0.1) < ($1.0.0, $1.0.1, $1.1) }
            // Position i takes the finding now at source[i].
            var source = keys.map(\.1)
            findings.withUnsafeMutableBufferPointer { buffer in
                for start in source.indices {
                    var i = start
                    while source[i] != start {
                        let from = source[i]
                        buffer.swapAt(i, from)
                        source[i] = i
                        i = from
                    }
                    source[i] = i
                }
            }
            ordered = findings.count
        }
    }

    private var groups: [Key: Group] = [:]
    /// What each trace put in: its version, whether its findings were complete, the
    /// groups it has findings in, its names.
    private var counted: [TraceID: (generation: Int, complete: Bool, keys: [Key], names: NameCardinalityTally.Names)] = [:]
    private var names = NameCardinalityTally()
    private var templates = NameTemplateMemo()
    private var cursor = ChangeCursor()

    /// Traces changed but not grouped whole yet: the findings budget ran out first.
    private(set) var pending: [TraceID] = []

    /// Brings the groups up to date as far as `findings` goes: it gives a trace's
    /// findings, maybe partial, or nil once its budget is spent. Traces it did not
    /// finish are taken up again by the next update.
    mutating func update(with store: TraceStore, config: InsightConfig, findings: (Trace) -> AppState.FindingsEntry?) -> [InsightGroup] {
        let todo: [TraceID]
        let whole: Bool
        if let changed = cursor.changes(in: store) {
            todo = ChangeCursor.union(pending, changed)
            whole = false
        } else {
            groups = [:]
            // Sized for every trace at once: grown on the way, its last rehash (of
            // 100k entries) was a 50 ms step of its own.
            counted = Dictionary(minimumCapacity: store.traces.count)
            names = NameCardinalityTally()
            todo = Array(store.traces.keys)
            whole = true
        }
        pending = []
        // Many traces are appended to their groups, which are ordered once the pass has
        // caught up: placing each trace's run in turn moves the group's tail once per
        // trace, quadratic in a group's size when a whole store is taken in by steps.
        let appending = whole || todo.count > 64
        for (k, id) in todo.enumerated() {
            guard let trace = store.traces[id] else {
                if let old = counted.removeValue(forKey: id) { remove(id, old.keys, old.names) }
                continue
            }
            if let c = counted[id], c.complete, c.generation == trace.storeGeneration { continue }
            guard let entry = findings(trace) else {
                // Out of budget: the rest keeps its old groups until it is checked.
                pending += todo[k...]
                break
            }
            if let old = counted.removeValue(forKey: id) { remove(id, old.keys, old.names) }
            add(trace, entry.findings, complete: entry.complete, inPlace: !appending)
            if !entry.complete { pending.append(id) }
        }
        if pending.isEmpty {
            for key in Array(groups.keys) where groups[key]!.ordered < groups[key]!.findings.count { groups[key]!.order() }
        }
        var out: [InsightGroup] = []
        for (key, group) in groups {
            guard let rule = Rules.rule(key.rule), let first = group.findings.first else { continue }
            out.append(InsightGroup(rule: rule, service: key.service, severity: first.severity, findings: group.findings,
                                    traceCount: group.traces))
        }
        // Across traces (no trace of their own): few, grouped afresh.
        out += InsightsView.groups(names.findings(config: config))
        return InsightsView.ordered(out)
    }

    private mutating func add(_ trace: Trace, _ findings: [Finding], complete: Bool, inPlace: Bool) {
        var byKey: [Key: [Finding]] = [:]
        var keys: [Key] = []
        for f in findings {
            let key = Key(rule: f.rule, service: f.service)
            if byKey[key] == nil { keys.append(key) }
            byKey[key, default: []].append(f)
        }
        for key in keys {
            // Stable, as a whole regrouping is: a span's findings keep their order.
            let run = byKey[key]!.sorted { ($0.spanID ?? .zero) < ($1.spanID ?? .zero) }
            var group = groups.removeValue(forKey: key) ?? Group()
            if inPlace {
                let at = Self.runStart(of: trace.id, in: group.findings, orderedUpTo: group.ordered)
                group.findings.insert(contentsOf: run, at: at)
                group.ordered += run.count
            } else {
                group.findings += run
            }
            group.traces += 1
            groups[key] = group
        }
        // Names are tallied once the trace is checked whole: a big trace checked in
        // steps would be read whole at each.
        let traceNames = complete ? NameCardinalityTally.names(in: trace, templates: &templates) : NameCardinalityTally.Names()
        names.add(traceNames)
        counted[trace.id] = (trace.storeGeneration, complete, keys, traceNames)
    }

    private mutating func remove(_ id: TraceID, _ keys: [Key], _ traceNames: NameCardinalityTally.Names) {
        for key in keys {
            guard var group = groups.removeValue(forKey: key) else { continue }
            var start = Self.runStart(of: id, in: group.findings, orderedUpTo: group.ordered)
            var end = start
            while end < group.ordered, group.findings[end].traceID == id { end += 1 }
            if start < end {
                group.ordered -= end - start
            } else if let first = group.findings[group.ordered...].firstIndex(where: { $0.traceID == id }) {
                // Appended by a pass still under way.
                start = first
                end = first
                while end < group.findings.count, group.findings[end].traceID == id { end += 1 }
            }
            group.findings.removeSubrange(start..<end)
            group.traces -= 1
            if !group.findings.isEmpty { groups[key] = group }
        }
        names.remove(traceNames)
    }

    /// The first position whose trace id is not below `id`.
    private static func runStart(of id: TraceID, in findings: [Finding], orderedUpTo end: Int) -> Int {
        let zero = TraceID(high: 0, low: 0)
        var low = 0, high = end
        while low < high {
            let mid = (low + high) / 2
            if (findings[mid].traceID ?? zero) < id { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
