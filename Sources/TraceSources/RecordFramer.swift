#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One complete JSON record cut from a byte stream, with the line it started on.
public struct FramedRecord: Sendable {
    public var line: Int
    public var bytes: [UInt8]
}

/// Cuts a byte stream into records: JSON Lines (one value per line, as the Collector's
/// and the Python SDK's file exporters write) and pretty-printed documents spanning many
/// lines (opentelemetry-proto's example, Jaeger's fixtures). A half-written last line
/// waits for its newline.
public struct RecordFramer: Sendable {
    /// Bytes of the line not yet ended by a newline.
    private var partial: [UInt8] = []
    /// A multi-line document being gathered.
    private var document: [UInt8] = []
    private var documentLine = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var discardingLongLine = false
    /// Lines consumed so far (1-based number of the next line).
    public private(set) var nextLine = 1
    public let maxRecordBytes: Int

    public enum Output: Sendable {
        case record(FramedRecord)
        case oversized(line: Int, bytes: Int)
        /// A multi-line document broken off by a new top-level record.
        case unterminated(line: Int)
    }

    /// What `feed(_:_:)` hands on: a record's bytes are borrowed, valid only inside
    /// the call (they are the fed chunk's own bytes when the record lay whole in it).
    public enum Piece {
        case record(line: Int, bytes: UnsafeRawBufferPointer)
        case other(Output)
    }

    /// `firstLine` numbers the first line fed: a framer that starts mid-file (a chunk
    /// decoded in parallel, or the tail after a parallel load) keeps real line numbers.
    public init(maxRecordBytes: Int = 64 << 20, firstLine: Int = 1) {
        self.maxRecordBytes = maxRecordBytes
        self.nextLine = firstLine
    }

    public var hasPendingBytes: Bool { !partial.isEmpty || !document.isEmpty }

    /// Holds nothing (no part of a line, no document, no long line being skipped): the
    /// next byte fed starts a line.
    public var isIdle: Bool { partial.isEmpty && document.isEmpty && !discardingLongLine }

    /// A whole line its caller framed and decoded itself, counted: its number. Only
    /// while idle.
    public mutating func countLine() -> Int {
        precondition(isIdle, "a line counted past the framer while it holds a part of one")
        nextLine += 1
        return nextLine - 1
    }

    /// Feeds bytes; returns the records they completed.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) -> [Output] {
        var out: [Output] = []
        feed(chunk) { out.append(Self.owned($0)) }
        return out
    }

    /// Feeds bytes and hands each completed record to `body` without copying it.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (Piece) -> Void) {
        var lineStart = 0
        while let newline = Self.newline(in: chunk, from: lineStart) {
            if discardingLongLine {
                discardingLongLine = false
                body(.other(.oversized(line: nextLine, bytes: partial.count + newline - lineStart)))
                partial.removeAll()
                nextLine += 1
            } else if partial.isEmpty {
                finishLine(UnsafeRawBufferPointer(rebasing: chunk[lineStart..<newline]), body)
            } else {
                partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[lineStart..<newline]).assumingMemoryBound(to: UInt8.self))
                let line = partial
                partial.removeAll(keepingCapacity: true)
                line.withUnsafeBytes { finishLine($0, body) }
            }
            lineStart = newline + 1
        }
        if lineStart < chunk.count {
            if discardingLongLine || partial.count + (chunk.count - lineStart) > maxRecordBytes {
                // Keep only a count of an oversized line: memory stays bounded.
                if !discardingLongLine { discardingLongLine = true }
                partial.removeAll()
            } else {
                partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[lineStart...]).assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// A piece made to outlive the call: the record's bytes copied.
    private static func owned(_ piece: Piece) -> Output {
        switch piece {
        case .record(let line, let bytes): return .record(FramedRecord(line: line, bytes: copy(bytes)))
        case .other(let output): return output
        }
    }

    public mutating func feed(_ bytes: [UInt8]) -> [Output] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// At the end of input (or before reading a rotated file's successor): the last
    /// line even without its newline, and an unfinished document as an error.
    public mutating func finish() -> [Output] {
        var out: [Output] = []
        if discardingLongLine {
            out.append(.oversized(line: nextLine, bytes: partial.count))
            discardingLongLine = false
            partial.removeAll()
        } else if !partial.isEmpty {
            let line = partial
            partial.removeAll()
            line.withUnsafeBytes { finishLine($0) { out.append(Self.owned($0)) } }
        }
        if !document.isEmpty {
            // Hand the unfinished document to the decoder: its error names the problem.
            out.append(.record(FramedRecord(line: documentLine, bytes: document)))
            resetDocument()
        }
        return out
    }

    /// Forgets all partial state (after truncation: the old bytes are gone).
    public mutating func reset() {
        partial.removeAll()
        resetDocument()
        discardingLongLine = false
        nextLine = 1
    }

    private mutating func resetDocument() {
        document.removeAll()
        depth = 0
        inString = false
        escaped = false
    }

    private mutating func finishLine(_ line: UnsafeRawBufferPointer, _ emit: (Piece) -> Void) {
        let number = nextLine
        nextLine += 1
        if !document.isEmpty {
            // A new unindented object means the document never closed: report it and
            // let this line start afresh, so one broken document loses nothing after it.
            if line.first == UInt8(ascii: "{"), line.count > 1 {
                emit(.other(.unterminated(line: documentLine)))
                resetDocument()
            } else {
                document.append(contentsOf: line.assumingMemoryBound(to: UInt8.self))
                document.append(0x0A)
                track(line)
                if depth <= 0 {
                    emit(.other(.record(FramedRecord(line: documentLine, bytes: document))))
                    resetDocument()
                } else if document.count > maxRecordBytes {
                    emit(.other(.oversized(line: documentLine, bytes: document.count)))
                    resetDocument()
                }
                return
            }
        }
        // A line that arrived whole is held to the same limit as one that spanned
        // reads: never decoded, one counted issue.
        if line.count > maxRecordBytes {
            emit(.other(.oversized(line: number, bytes: line.count)))
            return
        }
        guard let first = line.firstIndex(where: { !Self.isSpace($0) }) else { return }
        let last = line.lastIndex(where: { !Self.isSpace($0) })!
        let trimmed = UnsafeRawBufferPointer(rebasing: line[first...last])
        // A line that opens a value and ends with an opener or a separator is the first
        // line of a pretty-printed document; anything else is one record.
        let opensDocument = (trimmed.first == UInt8(ascii: "{") || trimmed.first == UInt8(ascii: "["))
            && Self.leavesValueOpen(trimmed.last!)
        if opensDocument {
            resetDocument()
            track(trimmed)
            if depth > 0 {
                document.append(contentsOf: trimmed.assumingMemoryBound(to: UInt8.self))
                document.append(0x0A)
                documentLine = number
                return
            }
            resetDocument()
        }
        emit(.record(line: number, bytes: trimmed))
    }

    private mutating func track(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes {
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    /// memchr: the newline search is the one pass over every byte of a file.
    private static func newline(in chunk: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < chunk.count, let base = chunk.baseAddress,
              let hit = memchr(base + start, 0x0A, chunk.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// One memcpy: Array's initializer from a raw buffer copies byte by byte.
    private static func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
            if let src = bytes.baseAddress, let dst = out.baseAddress, !bytes.isEmpty {
                UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: bytes.count)
            }
            count = bytes.count
        }
    }

    /// Space a line may carry around its record (the newline is the line's end).
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// Whether a line whose last non-space byte is `b` goes on on the next line: it ends
    /// with an opener or a separator. A line that opens a value and ends so is the first
    /// line of a pretty-printed document; ending otherwise, it is one record.
    static func leavesValueOpen(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "{") || b == UInt8(ascii: "[") || b == UInt8(ascii: ",") || b == UInt8(ascii: ":")
    }
}
