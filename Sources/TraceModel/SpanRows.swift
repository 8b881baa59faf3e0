/// A trace's spans, in arrival order, held in chunks of 4,096. A copy of a trace shares
/// every chunk, and changing a copy copies only the chunk changed: the waterfall holds
/// the version it shows while the store appends to the live one, and one array would
/// make that append copy a million spans (68 ms of the main loop per refresh).
public struct SpanRows: RandomAccessCollection, Sendable {
    static let shift = 12
    static let chunkSize = 1 << shift
    private var chunks: [[Span]] = []
    /// 32 bits: a trace holds far fewer spans, and `Trace` packs a counter after it.
    private var storedCount: Int32 = 0
    public var count: Int { Int(storedCount) }

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

    /// A span's id, read in place: the subscript hands out a copy of the whole span
    /// (a retain and release of each of its references), which the index paid on every
    /// probe and at every regrowth.
    func spanID(at position: Int) -> SpanID {
        chunks[position >> Self.shift].withUnsafeBufferPointer { $0[position & (Self.chunkSize - 1)].spanID }
    }

    public mutating func append(_ span: consuming Span) {
        // The chunk for position `count` may exist already, made by `reserveCapacity`.
        if chunks.count <= count >> Self.shift { chunks.append([]) }
        chunks[chunks.count - 1].append(span)
        storedCount += 1
    }

    /// Makes room for `k` more spans in the chunk being filled (later chunks are made as
    /// they fill). Most traces are small and arrive in a few runs (one per service
    /// exporting them): a run is given exactly its room, and a chunk that must grow
    /// again grows by at least a quarter — linear over many runs, where doubling would
    /// leave a third of a small trace's slots empty on average (50 bytes a span).
    public mutating func reserveCapacity(forAppending k: Int) {
        guard k > 0 else { return }
        let filled = count & (Self.chunkSize - 1)
        let wanted = Swift.min(Self.chunkSize, filled + k)
        if chunks.count <= count >> Self.shift {
            var chunk: [Span] = []
            chunk.reserveCapacity(wanted)
            chunks.append(chunk)
        } else if chunks[chunks.count - 1].capacity < wanted {
            chunks[chunks.count - 1].reserveCapacity(Swift.min(Self.chunkSize, Swift.max(wanted, filled + filled / 4)))
        }
    }

    /// Slots allocated, filled or not (memory accounting).
    var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }

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
