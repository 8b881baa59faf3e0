import TraceModel

/// Turns framed records into spans and counted issues. One per source: it owns the
/// decoder's string interner, so it is used from one thread at a time.
public final class RecordDecoder {
    private let otlp = OTLPJSONDecoder()

    public init() {}

    public struct Result {
        public var spans: [Span] = []
        public var issues: [DecodeIssue] = []
    }

    public func decode(_ outputs: [RecordFramer.Output]) -> Result {
        var result = Result()
        for output in outputs {
            switch output {
            case .record(let record):
                do {
                    let decoded = try otlp.decode(record.bytes)
                    result.spans.append(contentsOf: decoded.spans)
                    for problem in decoded.problems {
                        result.issues.append(DecodeIssue(line: record.line, reason: problem))
                    }
                } catch let error as JSONError {
                    result.issues.append(DecodeIssue(line: record.line, reason: error.description))
                } catch {
                    result.issues.append(DecodeIssue(line: record.line, reason: "\(error)"))
                }
            case .oversized(let line, let bytes):
                result.issues.append(DecodeIssue(line: line, reason: "record of \(bytes) bytes exceeds the size limit"))
            case .unterminated(let line):
                result.issues.append(DecodeIssue(line: line, reason: "document never closed"))
            }
        }
        return result
    }
}
