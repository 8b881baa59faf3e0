#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// Turns framed records into spans and counted issues. One per source: it owns the
/// decoder's string interner, so it is used from one thread at a time.
public final class RecordDecoder {
    private let otlp = OTLPJSONDecoder()
    private let jaeger = JaegerJSONDecoder()

    public init() {}

    /// Bytes of input per span decoded, as the last chunk had them (a guess to start).
    private var bytesPerSpan = 1024

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
    ///
    /// A line in the exporters' form is decoded first and its end found after: the
    /// framer's search for every newline was a pass over all the bytes before the
    /// decoder's, from memory rather than cache (a twentieth of a load). Anything else —
    /// a line that does not decode, a document over many lines, a half-written last
    /// line — is framed first as before, so issues and line numbers are the same.
    public func decode(_ chunk: UnsafeRawBufferPointer, framing framer: inout RecordFramer) -> Result {
        var result = Result()
        // Room for the spans the chunk likely holds, judged by the last one: growing the
        // list by doubling moved every span about once more (1% of a load's work).
        result.spans.reserveCapacity(chunk.count / bytesPerSpan)
        defer {
            if result.spans.count >= 16 { bytesPerSpan = max(128, chunk.count / result.spans.count) }
        }
        let handle = { (piece: RecordFramer.Piece, result: inout Result) in
            switch piece {
            case .record(let line, let bytes): self.decodeRecord(bytes, line: line, into: &result)
            case .other(let output): self.decode(output, into: &result)
            }
        }
        var start = 0
        if let base = chunk.baseAddress, let lastNewline = ParallelDecoder.lastNewline(in: chunk) {
            while start <= lastNewline {
                if framer.isIdle, let next = decodeLine(chunk, from: start, through: lastNewline, framer: &framer, into: &result) {
                    start = next
                    continue
                }
                // The general way, through the next newline: this line, or the end of
                // one the last chunk began. There is one at or before `lastNewline`
                // unless the bytes changed under us (a mapped file that shrank reads as
                // zeros from there on): the framer then takes the rest as it is.
                guard let found = memchr(base + start, 0x0A, lastNewline + 1 - start) else { break }
                let newline = UnsafeRawPointer(found) - base
                framer.feed(UnsafeRawBufferPointer(rebasing: chunk[start...newline])) { handle($0, &result) }
                start = newline + 1
            }
        }
        if start < chunk.count {
            framer.feed(UnsafeRawBufferPointer(rebasing: chunk[start...])) { handle($0, &result) }
        }
        return result
    }

    /// The OTLP record opening the line at `start`, decoded where it lies; where the next
    /// line starts. Nil, with nothing added, when the line is not one such record alone
    /// on it (other bytes after it, or a newline within it): the framer then takes it.
    private func decodeLine(_ chunk: UnsafeRawBufferPointer, from start: Int, through lastNewline: Int,
                            framer: inout RecordFramer, into result: inout Result) -> Int? {
        let opening = #"{"resourceSpans":"#.utf8
        guard lastNewline - start < framer.maxRecordBytes, lastNewline - start > opening.count,
              chunk[start..<(start + opening.count)].elementsEqual(opening) else { return nil }
        let spansBefore = result.spans.count
        guard let (length, problems) = try? otlp.decodeLeadingValue(UnsafeRawBufferPointer(rebasing: chunk[start...lastNewline]),
                                                                     appendingTo: &result.spans) else { return nil }
        var end = start + length
        while end < lastNewline, RecordFramer.isSpace(chunk[end]) { end += 1 }
        // One line: a newline right after the record and none inside it (JSON may
        // have them between tokens, and this scanner takes them raw in strings).
        guard chunk[end] == 0x0A, memchr(chunk.baseAddress! + start, 0x0A, end - start) == nil else {
            result.spans.removeSubrange(spansBefore...)
            return nil
        }
        let line = framer.countLine()
        for problem in problems { result.issues.append(DecodeIssue(line: line, reason: problem)) }
        return end + 1
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
