/// Something worked out per trace and kept until the trace changes (its store
/// generation moves): views keep these so a recompute reworks only the traces that
/// changed. Looked up by id and generation, which a caller reads in place, so no trace
/// is copied to ask.
public struct PerTraceCache<Value: Sendable>: Sendable {
    private var entries: [TraceID: (generation: Int, value: Value)] = [:]

    public init() {}

    /// The value kept for this version of the trace, if any.
    public func current(_ id: TraceID, generation: Int) -> Value? {
        guard let entry = entries[id], entry.generation == generation else { return nil }
        return entry.value
    }

    /// Takes out what is kept for the trace, current or not: a caller that brings it up
    /// to date changes it without copying it.
    public mutating func take(_ id: TraceID) -> Value? {
        entries.removeValue(forKey: id)?.value
    }

    public mutating func set(_ value: Value, _ id: TraceID, generation: Int) {
        entries[id] = (generation, value)
    }

    /// Room for this many traces: a first pass over a big store sets one entry per
    /// trace, and growing step by step moved every (large) entry at each step.
    public mutating func reserveCapacity(_ count: Int) {
        // Asked on every refresh: only growing is worth it (a shared dictionary would be
        // copied whole just to be asked).
        if entries.capacity < count { entries.reserveCapacity(count) }
    }

    /// Drops evicted traces, once the cache has grown well past the store.
    public mutating func prune(to store: TraceStore) {
        if entries.count > 2 * store.traceCount + 64 { entries = entries.filter { store.traces[$0.key] != nil } }
    }
}
