import TraceModel

/// The waterfall's `/` query. Words must appear in the span's name, service, id or an
/// attribute; `svc:NAME` and `op:NAME` narrow by service and name, `key=value` needs
/// an attribute, `is:error` error spans, `>5ms` / `<2s` bound the duration and `>2.5%`
/// keeps spans taking at least that share of the trace. All terms must hold. Matches
/// are highlighted; `H` hides everything else but their ancestors.
public struct WaterfallQuery: Equatable, Sendable {
    public var words: [String] = []
    public var services: [String] = []
    public var operations: [String] = []
    public var attributes: [(key: String, value: String)] = []
    public var errorsOnly = false
    public var minDuration: Int64?
    public var maxDuration: Int64?
    /// A fraction of the trace's duration, 0...1.
    public var minShare: Double?

    public init(_ text: String) {
        for word in text.split(separator: " ").map(String.init) {
            if word.hasPrefix(">"), word.hasSuffix("%"), let pct = Double(word.dropFirst().dropLast()), pct >= 0 {
                minShare = pct / 100
            } else if word.hasPrefix(">"), let d = DurationFormat.parse(String(word.dropFirst())) {
                minDuration = d
            } else if word.hasPrefix("<"), let d = DurationFormat.parse(String(word.dropFirst())) {
                maxDuration = d
            } else if word.hasPrefix("svc:"), word.count > 4 {
                services.append(String(word.dropFirst(4)).lowercased())
            } else if word.hasPrefix("op:"), word.count > 3 {
                operations.append(String(word.dropFirst(3)).lowercased())
            } else if word == "is:error" || word == "is:err" {
                errorsOnly = true
            } else if let eq = word.firstIndex(of: "="), eq != word.startIndex {
                attributes.append((String(word[..<eq]).lowercased(), String(word[word.index(after: eq)...]).lowercased()))
            } else {
                words.append(word.lowercased())
            }
        }
    }

    public var isEmpty: Bool {
        words.isEmpty && services.isEmpty && operations.isEmpty && attributes.isEmpty && !errorsOnly
            && minDuration == nil && maxDuration == nil && minShare == nil
    }

    public static func == (a: WaterfallQuery, b: WaterfallQuery) -> Bool {
        a.words == b.words && a.services == b.services && a.operations == b.operations && a.errorsOnly == b.errorsOnly
            && a.minDuration == b.minDuration && a.maxDuration == b.maxDuration && a.minShare == b.minShare
            && a.attributes.map(\.key) == b.attributes.map(\.key) && a.attributes.map(\.value) == b.attributes.map(\.value)
    }

    public func matches(_ span: Span, traceDuration: Int64) -> Bool {
        if errorsOnly && !span.isError { return false }
        if let minDuration, span.duration < minDuration { return false }
        if let maxDuration, span.duration > maxDuration { return false }
        if let minShare, Double(span.duration) < minShare * Double(traceDuration) { return false }
        if !services.isEmpty {
            let service = span.serviceName.lowercased()
            if !services.allSatisfy(service.contains) { return false }
        }
        if !operations.isEmpty {
            let name = span.name.lowercased()
            if !operations.allSatisfy(name.contains) { return false }
        }
        for (key, value) in attributes {
            guard let a = span.attributes.first(where: { $0.key.lowercased() == key }) else { return false }
            if !value.isEmpty && a.value.displayText.lowercased() != value { return false }
        }
        for word in words {
            if span.name.lowercased().contains(word) || span.serviceName.lowercased().contains(word) || span.spanID.hex.hasPrefix(word) { continue }
            if span.attributes.contains(where: { $0.key.lowercased().contains(word) || $0.value.displayText.lowercased().contains(word) }) { continue }
            return false
        }
        return true
    }
}
