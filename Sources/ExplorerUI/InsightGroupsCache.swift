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
    }

    private var groups: [Key: Group] = [:]
    /// What each trace put in: its version, the groups it has findings in, its names.
    private var counted: [TraceID: (generation: Int, keys: [Key], names: NameCardinalityTally.Names)] = [:]
    private var names = NameCardinalityTally()
    private var templates = NameTemplateMemo()
    private var cursor = ChangeCursor()

    /// Brings the groups up to date; `findings` gives a trace's findings.
    mutating func update(with store: TraceStore, config: InsightConfig, findings: (Trace) -> [Finding]) -> [InsightGroup] {
        if let changed = cursor.changes(in: store) {
            for id in changed {
                let trace = store.traces[id]
                if let trace, counted[id]?.generation == trace.storeGeneration { continue }
                if let old = counted.removeValue(forKey: id) { remove(id, old.keys, old.names) }
                if let trace { add(trace, findings(trace), inPlace: true) }
            }
        } else {
            groups = [:]
            counted = [:]
            names = NameCardinalityTally()
            let traces = store.traces.values
            // Appended, then each group ordered once (placing each run would move the
            // group's tail once per trace).
            for i in traces.indices { add(traces[i], findings(traces[i]), inPlace: false) }
            for key in Array(groups.keys) { groups[key]!.findings.sort { InsightsView.byTraceAndSpan($0, $1) } }
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

    private mutating func add(_ trace: Trace, _ findings: [Finding], inPlace: Bool) {
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
                group.findings.insert(contentsOf: run, at: Self.runStart(of: trace.id, in: group.findings))
            } else {
                group.findings += run
            }
            group.traces += 1
            groups[key] = group
        }
        let traceNames = NameCardinalityTally.names(in: trace, templates: &templates)
        names.add(traceNames)
        counted[trace.id] = (trace.storeGeneration, keys, traceNames)
    }

    private mutating func remove(_ id: TraceID, _ keys: [Key], _ traceNames: NameCardinalityTally.Names) {
        for key in keys {
            guard var group = groups.removeValue(forKey: key) else { continue }
            let start = Self.runStart(of: id, in: group.findings)
            var end = start
            while end < group.findings.count, group.findings[end].traceID == id { end += 1 }
            group.findings.removeSubrange(start..<end)
            group.traces -= 1
            if !group.findings.isEmpty { groups[key] = group }
        }
        names.remove(traceNames)
    }

    /// The first position whose trace id is not below `id`.
    private static func runStart(of id: TraceID, in findings: [Finding]) -> Int {
        let zero = TraceID(high: 0, low: 0)
        var low = 0, high = findings.count
        while low < high {
            let mid = (low + high) / 2
            if (findings[mid].traceID ?? zero) < id { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
