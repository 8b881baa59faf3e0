/// The store's traces by id: the `Trace` values side by side in one array, and an
/// open-addressed table of their positions. A `[TraceID: Trace]` dictionary held each
/// 88-byte value in its buckets, and a dictionary is up to five-eighths empty (a hundred
/// thousand traces took 262,144 buckets: 27 MB); here a slot is a 4-byte position, at
/// most half the slots are used, and the array grows by a quarter. Ids are placed by
/// their seeded hash (no SipHash per lookup) with linear probing; removal shifts the run
/// after the hole back, and moves the last trace into the gap, so the order of `values`
/// is no order to rely on (a dictionary's was none either).
public struct TraceTable: Sendable {
    /// Position + 1 of a trace in `values`; 0 is an empty slot. A power of two in size.
    private var slots: [UInt32] = []
    /// Changed in place by the store, at the positions `position(of:)` and `insert` give.
    public internal(set) var values: [Trace] = []

    public init() {}

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    public subscript(id: TraceID) -> Trace? {
        position(of: id).map { values[$0] }
    }

    public func contains(_ id: TraceID) -> Bool { position(of: id) != nil }

    /// The trace's span count, read in place (the subscript copies the whole trace).
    public func spanCount(of id: TraceID) -> Int? {
        position(of: id).map { values[$0].spanCount }
    }

    /// The ids held, in the order of `values`.
    public var keys: [TraceID] { values.map(\.id) }

    func position(of id: TraceID) -> Int? {
        guard let slot = slot(of: id) else { return nil }
        return Int(slots[slot]) - 1
    }

    /// Adds a trace whose id is not held yet (checked while its slot is found, so a new
    /// trace costs one probe run); returns its position.
    mutating func insert(_ trace: Trace) -> Int {
        if values.count == values.capacity {
            // A quarter more, not double: the array is most of this table's bytes.
            values.reserveCapacity(values.count + values.count / 4 + 16)
        }
        values.append(trace)
        if slots.count < 2 * values.count {
            rebuildSlots()
        } else {
            place(values.count - 1)
        }
        return values.count - 1
    }

    /// Takes the trace out; the last one moves into its place.
    mutating func remove(_ id: TraceID) -> Trace? {
        guard let slot = slot(of: id) else { return nil }
        let position = Int(slots[slot]) - 1
        emptySlot(slot)
        let last = values.count - 1
        if position != last {
            slots[self.slot(of: values[last].id)!] = UInt32(position + 1)
            values.swapAt(position, last)
        }
        return values.removeLast()
    }

    /// The slot holding `id`, if it is held.
    private func slot(of id: TraceID) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var i = id.seededHash & mask
        while slots[i] != 0 {
            if values[Int(slots[i]) - 1].id == id { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    private mutating func place(_ position: Int) {
        let mask = slots.count - 1
        let id = values[position].id
        var i = id.seededHash & mask
        while slots[i] != 0 {
            precondition(values[Int(slots[i]) - 1].id != id, "trace already held")
            i = (i + 1) & mask
        }
        slots[i] = UInt32(position + 1)
    }

    private mutating func rebuildSlots() {
        var size = 64
        while size < 2 * values.count { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        for position in values.indices { place(position) }
    }

    /// Empties `hole` and moves back each later entry of its probe run that may sit
    /// there (one whose home slot is not between the hole and where it is), so every
    /// lookup still finds its id before an empty slot.
    private mutating func emptySlot(_ hole: Int) {
        let mask = slots.count - 1
        var hole = hole
        var next = hole
        while true {
            next = (next + 1) & mask
            guard slots[next] != 0 else { break }
            let home = values[Int(slots[next]) - 1].id.seededHash & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            slots[hole] = slots[next]
            hole = next
        }
        slots[hole] = 0
    }
}
