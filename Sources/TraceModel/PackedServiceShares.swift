/// The services list's per-trace shares as the cache keeps them between recomputes:
/// each packed into a few dozen varint bytes, names as numbers from a table the shares
/// hold references into, times as offsets from the share's latest. Held as
/// `TraceServiceShare` values (three arrays, service and operation names as strings) a
/// small trace took 690 bytes with its table entry: 74 MB for a million spans in 106k
/// traces, the explorer's largest cost after the store. A share is unpacked only when
/// it is taken away (its trace changed or was evicted).
struct PackedServiceShares: Sendable {
    private var shares: [TraceID: (generation: Int, bytes: [UInt8])] = [:]
    private var names = NameTable()

    var count: Int { shares.count }
    /// Distinct names held, for tests: a name no share refers to is let go.
    var nameCount: Int { names.count }

    func generation(of id: TraceID) -> Int? { shares[id]?.generation }

    /// Keeps `share` for trace `id` (which must hold none).
    mutating func insert(_ share: TraceServiceShare, for id: TraceID, generation: Int) {
        shares[id] = (generation, pack(share))
    }

    /// Takes the trace's share out, unpacked, and lets go of its names.
    mutating func remove(_ id: TraceID) -> TraceServiceShare? {
        guard let entry = shares.removeValue(forKey: id) else { return nil }
        let share = unpack(entry.bytes)
        for part in share.parts { names.release(part.name) }
        for name in share.operations { names.release(name) }
        return share
    }

    mutating func removeAll() {
        shares = [:]
        names = NameTable()
    }

    /// Every share, unpacked in turn (rare: a service's last-seen time worked out again).
    func forEach(_ body: (TraceServiceShare) -> Void) {
        for entry in shares.values { body(unpack(entry.bytes)) }
    }

    /// The latest last-seen time, then per part: name, spans, errors, how long before
    /// the latest, entry-duration and operation counts; then all durations, then all
    /// operation names (parts' ranges are consecutive, so counts rebuild them).
    private mutating func pack(_ share: TraceServiceShare) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + 12 * share.parts.count + 5 * share.durations.count + 2 * share.operations.count)
        let latest = share.parts.lazy.map(\.lastSeen).max() ?? 0
        Pack.varint(UInt64(bitPattern: latest), into: &out)
        Pack.varint(UInt64(share.parts.count), into: &out)
        for part in share.parts {
            Pack.varint(UInt64(names.retain(part.name)), into: &out)
            Pack.varint(UInt64(part.spans), into: &out)
            Pack.varint(UInt64(part.errors), into: &out)
            Pack.varint(UInt64(bitPattern: latest &- part.lastSeen), into: &out)
            Pack.varint(UInt64(part.durationRange.count), into: &out)
            Pack.varint(UInt64(part.operationRange.count), into: &out)
        }
        for duration in share.durations { Pack.varint(UInt64(bitPattern: duration), into: &out) }
        for name in share.operations { Pack.varint(UInt64(names.retain(name)), into: &out) }
        // Exactly sized: kept for as long as the trace is.
        return Array(out[...])
    }

    private func unpack(_ bytes: [UInt8]) -> TraceServiceShare {
        bytes.withUnsafeBufferPointer { buf in
            var r = Unpack(buf, at: 0)
            let latest = Int64(bitPattern: r.varint())
            let partCount = Int(r.varint())
            var parts: [TraceServiceShare.Part] = []
            parts.reserveCapacity(partCount)
            var durationCount = 0, operationCount = 0
            for _ in 0..<partCount {
                var part = TraceServiceShare.Part(name: names[r.varint()])
                part.spans = Int(r.varint())
                part.errors = Int(r.varint())
                part.lastSeen = latest &- Int64(bitPattern: r.varint())
                let durations = Int(r.varint()), operations = Int(r.varint())
                part.durationRange = durationCount..<(durationCount + durations)
                part.operationRange = operationCount..<(operationCount + operations)
                durationCount += durations
                operationCount += operations
                parts.append(part)
            }
            let durations = (0..<durationCount).map { _ in Int64(bitPattern: r.varint()) }
            let operations = (0..<operationCount).map { _ in names[r.varint()] }
            return TraceServiceShare(parts: parts, durations: durations, operations: operations)
        }
    }
}

/// Names by number, each kept while something holds a reference to it: a name only
/// evicted traces used is let go (span names with ids in them must not pile up in a
/// live session), and its number is given to the next new name.
struct NameTable: Sendable {
    private var numbers: [String: UInt32] = [:]
    private var names: [String] = []
    private var references: [Int] = []
    private var freeNumbers: [UInt32] = []

    var count: Int { numbers.count }

    subscript(number: UInt64) -> String { names[Int(number)] }

    /// The name's number, with one more reference to it.
    mutating func retain(_ name: String) -> UInt32 {
        if let number = numbers[name] {
            references[Int(number)] += 1
            return number
        }
        let number: UInt32
        if let reused = freeNumbers.popLast() {
            number = reused
            names[Int(number)] = name
            references[Int(number)] = 1
        } else {
            number = UInt32(names.count)
            names.append(name)
            references.append(1)
        }
        numbers[name] = number
        return number
    }

    /// One reference fewer to `name`; at none it is let go.
    mutating func release(_ name: String) {
        guard let number = numbers[name] else { return }
        let i = Int(number)
        references[i] -= 1
        guard references[i] == 0 else { return }
        numbers[name] = nil
        names[i] = ""
        freeNumbers.append(number)
    }
}
