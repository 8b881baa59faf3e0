/// The store's traces by id: the `Trace` values side by side in one array, and a hash
/// table from id to position. A `[TraceID: Trace]` dictionary held each 88-byte value in
/// its buckets, and a dictionary is up to five-eighths empty (a hundred thousand traces
/// take 262,144 buckets: 27 MB); here a bucket holds a 4-byte position, and the array
/// grows by a quarter. Removal moves the last trace into the gap, so the order of
/// `values` is no order to rely on (a dictionary's was none either).
public struct TraceTable: Sendable {
    private var positions: [TraceID: Int32] = [:]
    /// Changed in place by the store, at the positions `position(of:)` and `insert` give.
    public internal(set) var values: [Trace] = []

    public init() {}

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    public subscript(id: TraceID) -> Trace? {
        positions[id].map { values[Int($0)] }
    }

    public func contains(_ id: TraceID) -> Bool { positions[id] != nil }

    /// The ids held, in the order of `values`.
    public var keys: [TraceID] { values.map(\.id) }

    func position(of id: TraceID) -> Int? {
        positions[id].map(Int.init)
    }

    /// Adds a trace whose id is not held yet; returns its position.
    mutating func insert(_ trace: Trace) -> Int {
        precondition(positions[trace.id] == nil, "trace already held")
        if values.count == values.capacity {
            // A quarter more, not double: the array is most of this table's bytes.
            values.reserveCapacity(values.count + values.count / 4 + 16)
        }
        positions[trace.id] = Int32(values.count)
        values.append(trace)
        return values.count - 1
    }

    /// Takes the trace out; the last one moves into its place.
    mutating func remove(_ id: TraceID) -> Trace? {
        guard let found = positions.removeValue(forKey: id) else { return nil }
        let position = Int(found)
        let last = values.count - 1
        if position != last {
            values.swapAt(position, last)
            positions[values[position].id] = found
        }
        return values.removeLast()
    }
}
