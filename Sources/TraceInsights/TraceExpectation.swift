import TraceModel

/// One assertion about traces, as `spanscope check --expect-…` takes it: the tracing
/// guide's "Trace Validation" test as a command.
public enum TraceExpectation: Equatable, Sendable, CustomStringConvertible {
    /// A span with this name exists (of this service, when given).
    case span(service: String?, name: String)
    /// A span with this name carries this attribute value.
    case attribute(service: String?, name: String, key: String, value: String)
    /// A span named `child` whose parent is named `parent`.
    case child(parent: String, child: String)
    /// Exactly this many traces were checked.
    case traces(Int)

    public var description: String {
        switch self {
        case .span(let s, let n): return "span \(s.map { $0 + ":" } ?? "")\(n)"
        case .attribute(let s, let n, let k, let v): return "span \(s.map { $0 + ":" } ?? "")\(n) with \(k)=\(v)"
        case .child(let p, let c): return "span \(c) under \(p)"
        case .traces(let n): return "\(n) trace\(n == 1 ? "" : "s")"
        }
    }

    /// `SERVICE:NAME` or `NAME`.
    public static func span(_ text: String) -> TraceExpectation? {
        guard !text.isEmpty else { return nil }
        let (service, name) = splitService(text)
        return name.isEmpty ? nil : .span(service: service, name: name)
    }

    /// `[SERVICE:]NAME:KEY=VALUE` — the key is what follows the last `:` before the `=`.
    public static func attribute(_ text: String) -> TraceExpectation? {
        guard let eq = text.firstIndex(of: "="), let colon = text[..<eq].lastIndex(of: ":") else { return nil }
        let key = String(text[text.index(after: colon)..<eq])
        let value = String(text[text.index(after: eq)...])
        let (service, name) = splitService(String(text[..<colon]))
        guard !key.isEmpty, !name.isEmpty else { return nil }
        return .attribute(service: service, name: name, key: key, value: value)
    }

    /// `PARENT>CHILD`.
    public static func child(_ text: String) -> TraceExpectation? {
        let parts = text.split(separator: ">", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return .child(parent: parts[0], child: parts[1])
    }

    /// A leading `service:` only when what precedes the colon has no space or slash
    /// (span names such as `GET /a:b` keep their colons).
    static func splitService(_ text: String) -> (String?, String) {
        guard let colon = text.firstIndex(of: ":") else { return (nil, text) }
        let head = text[..<colon]
        if head.isEmpty || head.contains(" ") || head.contains("/") { return (nil, text) }
        return (String(head), String(text[text.index(after: colon)...]))
    }

    public struct Outcome: Sendable, Equatable {
        public var expectation: TraceExpectation
        public var passed: Bool
        /// On failure, the closest thing found.
        public var detail: String
    }

    public func evaluate(_ traces: [Trace]) -> Outcome {
        let spans = traces.flatMap { t in t.spans.map { (t, $0) } }
        func named(_ service: String?, _ name: String) -> [(Trace, Span)] {
            spans.filter { $0.1.name == name && (service == nil || $0.1.serviceName == service) }
        }
        func closestName(_ name: String) -> String {
            let names = Set(spans.map { "\($0.1.serviceName):\($0.1.name)" })
            guard let best = names.min(by: { editDistance($0, name) < editDistance($1, name) }) else { return "no spans at all" }
            return "closest: \(best)"
        }
        switch self {
        case .span(let service, let name):
            let found = named(service, name)
            if !found.isEmpty { return Outcome(expectation: self, passed: true, detail: "\(found.count) found") }
            if let service, let other = named(nil, name).first {
                return Outcome(expectation: self, passed: false, detail: "found in service \(other.1.serviceName), not \(service)")
            }
            return Outcome(expectation: self, passed: false, detail: closestName(name))
        case .attribute(let service, let name, let key, let value):
            let found = named(service, name)
            if found.contains(where: { $0.1.attributes[key: key]?.displayText == value }) {
                return Outcome(expectation: self, passed: true, detail: "found")
            }
            guard let first = found.first else { return Outcome(expectation: self, passed: false, detail: "no such span; " + closestName(name)) }
            let actual = first.1.attributes[key: key].map { "\(key)=\($0.displayText)" } ?? "no \(key) (has: \(first.1.attributes.map(\.key).sorted().joined(separator: ", ")))"
            return Outcome(expectation: self, passed: false, detail: "the span has \(actual)")
        case .child(let parent, let child):
            let parents = spans.filter { $0.1.name == parent }
            for (trace, p) in parents where trace.spans.contains(where: { $0.name == child && $0.parentSpanID == p.spanID }) {
                return Outcome(expectation: self, passed: true, detail: "found")
            }
            guard let (trace, p) = parents.first else { return Outcome(expectation: self, passed: false, detail: "no span \(parent); " + closestName(parent)) }
            let kids = trace.spans.filter { $0.parentSpanID == p.spanID }.map(\.name)
            if let c = spans.first(where: { $0.1.name == child }) {
                let actualParent = c.0.span(c.1.parentSpanID)?.name ?? "(none)"
                return Outcome(expectation: self, passed: false, detail: "\(child) is under \(actualParent); \(parent) has children [\(kids.joined(separator: ", "))]")
            }
            return Outcome(expectation: self, passed: false, detail: "\(parent) has children [\(kids.joined(separator: ", "))]")
        case .traces(let n):
            return Outcome(expectation: self, passed: traces.count == n, detail: "\(traces.count) found")
        }
    }
}

/// Levenshtein distance, for "closest thing found" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var previous = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let old = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = old
        }
    }
    return row[b.count]
}
