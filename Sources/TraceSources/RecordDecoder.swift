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
        /// The file shrank under the bytes being decoded (truncated in place, as
        /// logrotate's copytruncate does): what followed the cut read as zeros and was
        /// dropped, not counted as bad records.
        public var fileShrank = false
    }

    public func decode(_ outputs: [RecordFramer.Output]) -> Result {
        var result = Result()
        for output in outputs { decode(output, into: &result) }
        return result
    }

    /// Frames `chunk` with `framer` and decodes each record it completes in place,
    /// without copying it out of the chunk.
    public func decode(_ chunk: UnsafeRawBufferPointer, framing framer: inout RecordFramer) -> Result {
        var result = Result()
        framer.feed(chunk) { piece in
            switch piece {
            case .record(let line, let bytes): decodeRecord(bytes, line: line, into: &result)
            case .other(let output): decode(output, into: &result)
            }
        }
        return result
    }

    private func decode(_ output: RecordFramer.Output, into result: inout Result) {
        switch output {
        case .record(let record):
            record.bytes.withUnsafeBytes { decodeRecord($0, line: record.line, into: &result) }
        case .oversized(let line, let bytes):
            result.issues.append(DecodeIssue(line: line, reason: "record of \(bytes) bytes exceeds the size limit"))
        case .unterminated(let line):
            result.issues.append(DecodeIssue(line: line, reason: "document never closed"))
        }
    }

    private func decodeRecord(_ bytes: UnsafeRawBufferPointer, line: Int, into result: inout Result) {
        do {
            let problems: [String]
            if try RecordFormat.detect(bytes) == .jaeger {
                var decoded = try jaeger.decode(Array(bytes))
                if result.spans.isEmpty {
                    swap(&result.spans, &decoded.spans)
                } else {
                    result.spans.append(contentsOf: decoded.spans)
                }
                problems = decoded.problems
            } else {
                // Straight onto the batch's list: appending a record's list copied every span.
                problems = try otlp.decode(bytes, appendingTo: &result.spans)
            }
            for problem in problems {
                result.issues.append(DecodeIssue(line: line, reason: problem))
            }
        } catch let error as JSONError {
            result.issues.append(DecodeIssue(line: line, reason: error.description))
        } catch {
            result.issues.append(DecodeIssue(line: line, reason: "\(error)"))
        }
    }
}

/// Which format a record is, by its content: OTLP/JSON (`resourceSpans`, or Jaeger
/// API v3's `result` envelope) or Jaeger's JSON model (`data`, `spans`, or an array).
enum RecordFormat: Equatable {
    case otlp, jaeger

    static func detect(_ bytes: [UInt8]) throws -> RecordFormat {
        try bytes.withUnsafeBytes { try detect($0) }
    }

    static func detect(_ raw: UnsafeRawBufferPointer) throws -> RecordFormat {
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
