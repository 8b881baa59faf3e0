import TraceModel

/// The trace list's `/` filter: words narrow the list. `>120ms` and `<2s` bound the
/// duration, `op:NAME` and `svc:NAME` pick an operation or service, `is:error` keeps
/// traces with errors; any other word must appear in the root service, root span name
/// or trace id.
public struct TraceQuery: Equatable, Sendable {
    public var filter = TraceFilter()
    public var words: [String] = []

    public init(_ text: String) {
        for word in text.split(separator: " ").map(String.init) {
            if word.hasPrefix(">"), let d = DurationFormat.parse(String(word.dropFirst())) {
                filter.minDuration = d
            } else if word.hasPrefix("<"), let d = DurationFormat.parse(String(word.dropFirst())) {
                filter.maxDuration = d
            } else if word.hasPrefix("op:"), word.count > 3 {
                filter.operation = String(word.dropFirst(3))
            } else if word.hasPrefix("svc:"), word.count > 4 {
                filter.service = String(word.dropFirst(4))
            } else if word == "is:error" || word == "is:err" {
                filter.errorsOnly = true
            } else {
                words.append(word.lowercased())
            }
        }
    }

    public func matchesText(_ s: TraceSummary) -> Bool {
        words.allSatisfy { w in
            s.rootName.lowercased().contains(w) || s.rootService.lowercased().contains(w) || s.traceID.hex.hasPrefix(w)
        }
    }
}
