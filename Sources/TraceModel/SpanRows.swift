/// A trace's spans, in arrival order, held in chunks of 4,096. A copy of a trace shares
/// every chunk, and changing a copy copies only the chunk changed: the waterfall holds
/// the version it shows while the store appends to the live one, and one array would
/// make that append copy a million spans (68 ms of the main loop per refresh).
public struct SpanRows: RandomAccessCollection, Sendable {
    static let shift = 12
    static let chunkSize = 1 << shift
    private var chunks: [[Span]] = []
    public private(set) var count = 0

    public init() {}

    public init(_ spans: some Sequence<Span>) {
        for span in spans { append(span) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Span {
        get {
            precondition(position >= 0 && position < count, "span index out of range")
            return chunks[position >> Self.shift][position & (Self.chunkSize - 1)]
        }
        set {
            precondition(position >= 0 && position < count, "span index out of range")
            chunks[position >> Self.shift][position & (Self.chunkSize - 1)] = newValue
        }
    }

    public mutating func append(_ span: Span) {
        if count & (Self.chunkSize - 1) == 0 { chunks.append([]) }
        chunks[chunks.count - 1].append(span)
        count += 1
    }

    /// Walks chunk by chunk (no per-element index split), for whole-trace passes.
    public func makeIterator() -> Iterator { Iterator(chunks: chunks) }

    public struct Iterator: IteratorProtocol {
        let chunks: [[Span]]
        var chunk = 0
        var offset = 0

        public mutating func next() -> Span? {
            while chunk < chunks.count {
                if offset < chunks[chunk].count {
                    defer { offset += 1 }
                    return chunks[chunk][offset]
                }
                chunk += 1
                offset = 0
            }
            return nil
        }
    }
}
