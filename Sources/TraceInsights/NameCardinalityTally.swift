import TraceModel

/// The span names, per service and pattern, of the traces added and not taken away:
/// how the name-cardinality rule is worked out across traces, and kept up to date as
/// traces change or are evicted (a name counts while any trace held has it).
public struct NameCardinalityTally: Sendable {
    /// One trace's span names that differ from their pattern, once each.
    public struct Names: Sendable {
        fileprivate var entries: [Entry] = []
        /// None: a trace not tallied yet.
        public init() {}
        fileprivate init(entries: [Entry]) { self.entries = entries }
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
        var templates = NameTemplateMemo()
        return names(in: trace, templates: &templates)
    }

    /// The same, with patterns remembered across calls (a caller tallying many traces).
    public static func names(in trace: Trace, templates: inout NameTemplateMemo) -> Names {
        var seen = Set<Entry>()
        for span in trace.spans {
            let pattern = templates.template(span.name)
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

/// Span names' patterns, each worked out once: a name repeats in every trace of its kind,
/// and working out a pattern reads the name character by character (it was a tenth of
/// the Insights view's first look at 100k traces).
public struct NameTemplateMemo: Sendable {
    private var templates: [String: String] = [:]
    /// Names full of ids are nearly all different: past this many, new ones are not kept.
    private let limit: Int

    public init(limit: Int = 20_000) {
        self.limit = limit
    }

    public mutating func template(_ name: String) -> String {
        if let known = templates[name] { return known }
        let pattern = NamePattern.template(name)
        if templates.count < limit { templates[name] = pattern }
        return pattern
    }
}
