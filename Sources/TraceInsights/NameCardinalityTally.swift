import TraceModel

/// The span names, per service and pattern, of the traces added and not taken away:
/// how the name-cardinality rule is worked out across traces, and kept up to date as
/// traces change or are evicted (a name counts while any trace held has it).
public struct NameCardinalityTally: Sendable {
    /// One trace's span names that differ from their pattern, once each.
    public struct Names: Sendable {
        fileprivate var entries: [Entry] = []
    }

    fileprivate struct Entry: Hashable, Sendable {
        var service: String
        var pattern: String
        var name: String
    }

    /// Per service and pattern: how many traces hold each name.
    private var traces: [String: [String: [String: Int]]] = [:]

    public init() {}

    public static func names(in trace: Trace) -> Names {
        var seen = Set<Entry>()
        for span in trace.spans {
            let pattern = NamePattern.template(span.name)
            if pattern != span.name { seen.insert(Entry(service: span.serviceName, pattern: pattern, name: span.name)) }
        }
        return Names(entries: Array(seen))
    }

    public mutating func add(_ names: Names) {
        for e in names.entries { traces[e.service, default: [:]][e.pattern, default: [:]][e.name, default: 0] += 1 }
    }

    public mutating func remove(_ names: Names) {
        for e in names.entries {
            guard let n = traces[e.service]?[e.pattern]?[e.name] else { continue }
            traces[e.service]![e.pattern]![e.name] = n > 1 ? n - 1 : nil
            if traces[e.service]![e.pattern]!.isEmpty { traces[e.service]![e.pattern] = nil }
            if traces[e.service]!.isEmpty { traces[e.service] = nil }
        }
    }

    /// One finding per service and pattern that covers at least `threshold` names.
    public func findings(threshold: Int = 5, config: InsightConfig = InsightConfig()) -> [Finding] {
        guard config.enabled("span-name-cardinality"), let rule = Rules.rule("span-name-cardinality") else { return [] }
        var out: [Finding] = []
        for (service, patterns) in traces.sorted(by: { $0.key < $1.key }) {
            for (pattern, distinct) in patterns.sorted(by: { $0.key < $1.key }) where distinct.count >= threshold {
                out.append(Finding(rule: rule.id, severity: config.severity(of: rule), traceID: nil, spanID: nil, service: service,
                                   spanName: pattern, message: "\(distinct.count) distinct names follow \"\(pattern)\""))
            }
        }
        return out
    }
}
