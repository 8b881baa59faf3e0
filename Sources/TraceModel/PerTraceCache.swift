/// Something worked out per trace and kept until the trace changes (its store
/// generation moves): views keep these so a recompute reworks only the traces that
/// changed. Looked up by id and generation, which a caller reads in place, so no trace
/// is copied to ask.
public struct PerTraceCache<Value: Sendable>: Sendable {
    /// Where each trace's value lies in `values`, and for which generation of it. The
    /// values are packed apart from the table: a dictionary keeps entries inline in
    /// buckets up to half empty, and a value here can be large (the findings state is
    /// 160 bytes), which in buckets cost 470 bytes a trace instead of about 250.
    private var slots: [TraceID: (generation: Int, index: Int)] = [:]
    private var values: [Value] = []
    /// The trace of each value, to fix up the slot of a value moved by a removal.
    private var ids: [TraceID] = []

    public init() {}

    public var count: Int { values.count }
    /// Room for values before the storage grows (tests watch it).
    var capacity: Int { values.capacity }

    /// The value kept for this version of the trace, if any.
    public func current(_ id: TraceID, generation: Int) -> Value? {
        guard let slot = slots[id], slot.generation == generation else { return nil }
        return values[slot.index]
    }

    /// The version of the trace the kept value is for, if any.
    public func generation(of id: TraceID) -> Int? { slots[id]?.generation }

    /// What is kept for the trace, current or not, left in place.
    public func latest(_ id: TraceID) -> Value? { slots[id].map { values[$0.index] } }

    /// Takes out what is kept for the trace, current or not: a caller that brings it up
    /// to date changes it without copying it.
    public mutating func take(_ id: TraceID) -> Value? {
        guard let slot = slots.removeValue(forKey: id) else { return nil }
        return removeValue(at: slot.index)
    }

    public mutating func set(_ value: Value, _ id: TraceID, generation: Int) {
        if let slot = slots[id] {
            values[slot.index] = value
            slots[id] = (generation, slot.index)
            return
        }
        slots[id] = (generation, values.count)
        values.append(value)
        ids.append(id)
    }

    /// Room for this many traces: a first pass over a big store sets one entry per
    /// trace, and growing step by step moved every entry at each step.
    public mutating func reserveCapacity(_ count: Int) {
        // Asked on every refresh: only growing is worth it (a shared table would be
        // copied whole just to be asked).
        if slots.capacity < count { slots.reserveCapacity(count) }
        // Asked for exactly one more each time a trace arrives: an exact reserve would
        // copy every value for each new trace. Grown by half at least, and sized with an
        // eighth to spare, so the first traces after a load do not copy them either.
        if values.capacity < count {
            let size = Swift.max(count + count / 8, values.capacity + values.capacity / 2)
            values.reserveCapacity(size)
            ids.reserveCapacity(size)
        }
    }

    /// Drops evicted traces, once the cache has grown well past the store.
    public mutating func prune(to store: TraceStore) {
        guard values.count > 2 * store.traceCount + 64 else { return }
        var i = 0
        while i < values.count {
            if !store.traces.contains(ids[i]) {
                slots[ids[i]] = nil
                _ = removeValue(at: i)
            } else {
                i += 1
            }
        }
    }

    /// Removes `values[i]` by moving the last value into its place (moves copy nothing
    /// the values hold).
    private mutating func removeValue(at i: Int) -> Value {
        let last = values.count - 1
        if i != last {
            values.swapAt(i, last)
            ids.swapAt(i, last)
            slots[ids[i]]?.index = i
        }
        ids.removeLast()
        return values.removeLast()
    }
}
