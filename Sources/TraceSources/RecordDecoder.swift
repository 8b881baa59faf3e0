import TraceModel

/// Turns framed records into spans and counted issues. One per source: it owns the
/// decoder's string interner, so it is used from one thread at a time.
public final class RecordDecoder {
    private let otlp = OTLPJSONDecoder()
    private let jaeger = JaegerJSONDecoder()

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
                    let decoded = try RecordFormat.detect(record.bytes) == .jaeger
                        ? try jaeger.decode(record.bytes) : try otlp.decode(record.bytes)
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

/// Which format a record is, by its content: OTLP/JSON (`resourceSpans`, or Jaeger
/// API v3's `result` envelope) or Jaeger's JSON model (`data`, `spans`, or an array).
enum RecordFormat: Equatable {
    case otlp, jaeger

    static func detect(_ bytes: [UInt8]) throws -> RecordFormat {
        try bytes.withUnsafeBytes { raw in
            var s = JSONScanner(raw, maxDepth: 160)
            guard let first = s.peek() else { throw s.fail("empty record") }
            if first == UInt8(ascii: "[") { return .jaeger }
            try s.beginObject()
            var isFirst = true
            // Exporters write `resourceSpans` first, so a JSON Lines file costs one key.
            while let key = try s.nextKey(first: &isFirst) {
                if s.key(key, is: "resourceSpans") || s.key(key, is: "result") { return .otlp }
                if s.key(key, is: "data") || s.key(key, is: "spans") || s.key(key, is: "traceID") { return .jaeger }
                try s.skipValue()
            }
            return .otlp
        }
    }
}
