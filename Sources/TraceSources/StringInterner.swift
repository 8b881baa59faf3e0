#if canImport(Glibc)
import Glibc
#endif
import TraceModel

/// Shares one value among equal strings (service names, span names, attribute keys
/// repeat across millions of spans). Lookup by raw bytes avoids building a String for
/// every repeat. `Value` is the string itself, or what is derived from it once (an
/// attribute key's encoded form).
///
/// An open-addressed table over a byte pool, hashed with a fast seeded word hash (`ByteHash`): this
/// runs a dozen times per span, where the standard library's SipHash and a dictionary
/// of buckets cost more than the scanning around it. A probe never runs past
/// `maxProbe` slots — a string that would is returned unshared — so input crafted to
/// collide costs a bounded number of comparisons, whatever the hash does with it.
final class Interner<Value> {
    private struct Slot {
        /// 0 marks an empty slot; real hashes have their top bit set.
        var hash: UInt64 = 0
        var start: Int32 = 0
        var length: Int32 = 0
        var value: Int32 = 0
    }

    // Touched a dozen times per span by the one thread that owns the decoder: the
    // table and pool are plain allocations reached through pointers (no array
    // accessors, no run-time exclusivity checks, no closures on the lookup path).
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var slotCount = 256
    @exclusivity(unchecked) private var pool: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var poolCount = 0
    @exclusivity(unchecked) private var poolCapacity = 4096
    @exclusivity(unchecked) private var values: [Value] = []
    /// Each entry's bytes in the pool, as start << 32 | length (for hints).
    @exclusivity(unchecked) private var extents: [UInt64] = []
    private let seed = UInt64.random(in: .min ... .max)
    private static var maxProbe: Int { 32 }

    /// Names that embed ids (the bad practice the insights flag) never repeat: past this
    /// many entries new strings are returned unshared, so a long tail cannot grow the
    /// table without bound.
    let capacity: Int
    private let make: (String) -> Value

    var count: Int { values.count }

    init(capacity: Int = 1 << 18, make: @escaping (String) -> Value) {
        self.capacity = capacity
        self.make = make
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(), count: slotCount)
        pool = .allocate(capacity: poolCapacity)
    }

    deinit {
        slots.deallocate()
        pool.deallocate()
    }

    func intern(_ bytes: UnsafeRawBufferPointer) -> Value {
        var hint: Int32 = -1
        return intern(bytes, hint: &hint)
    }

    /// Like `intern`, but first tries entry number `hint` (a guess, e.g. the key that
    /// followed the previous one last time): when it holds these bytes no hash is
    /// computed. `hint` is set to the entry the bytes are in, or -1 if uncached.
    @inline(__always)
    func intern(_ bytes: UnsafeRawBufferPointer, hint: inout Int32) -> Value {
        // Inlined: the guess is right for most keys, and checking it costs less than
        // the call to the table lookup would.
        if let value = cached(bytes, hint: &hint) { return value }
        return internNew(ByteHash.hash(bytes, seed: seed), bytes, hint: &hint)
    }

    /// Like `intern(_:hint:)`, the guess taken from `following`: for each entry
    /// (direct-mapped over `slots`, a power of two), the entry that came after it last
    /// time. `previous` names the entry before this one and becomes this one's (-1 when
    /// uncached), the next call's `previous`.
    @inline(__always)
    func intern(_ bytes: UnsafeRawBufferPointer, after previous: inout Int32,
                following: UnsafeMutablePointer<Int32>, slots: Int, context: Int = 0) -> Value {
        let slot = (Int(previous + 1) &+ context) & (slots - 1)
        var hint = following[slot]
        let value = intern(bytes, hint: &hint)
        following[slot] = hint
        previous = hint
        return value
    }

    @inline(never)
    private func internNew(_ h: UInt64, _ bytes: UnsafeRawBufferPointer, hint: inout Int32) -> Value {
        let s = String(decoding: bytes, as: UTF8.self)
        let v = make(s)
        hint = -1
        // Invalid UTF-8 is repaired by decoding, so the repaired text no longer
        // matches the bytes: don't cache it under them.
        if s.utf8.count == bytes.count && values.count < capacity && poolCount + bytes.count < Int(Int32.max) {
            hint = insert(h, bytes, v)
        }
        return v
    }

    /// The value cached for these bytes, or nil: nothing is made or inserted. `hint`
    /// works as in `intern`.
    @inline(__always)
    func cached(_ bytes: UnsafeRawBufferPointer, hint: inout Int32) -> Value? {
        let guess = Int(hint)
        if guess >= 0, guess < extents.count {
            let extent = extents[guess]
            if Int(extent & 0xFFFF_FFFF) == bytes.count,
               bytes.isEmpty || JSONScanner.sameBytes(bytes.baseAddress!, pool + Int(extent >> 32), bytes.count) {
                return values[guess]
            }
        }
        return find(bytes, hint: &hint)
    }

    @inline(never)
    private func find(_ bytes: UnsafeRawBufferPointer, hint: inout Int32) -> Value? {
        let h = ByteHash.hash(bytes, seed: seed)
        let mask = slotCount - 1
        var i = Int(truncatingIfNeeded: h) & mask
        for _ in 0..<Self.maxProbe {
            let slot = slots[i]
            if slot.hash == 0 { break }
            if slot.hash == h, Int(slot.length) == bytes.count,
               bytes.isEmpty || JSONScanner.sameBytes(bytes.baseAddress!, pool + Int(slot.start), bytes.count) {
                hint = slot.value
                return values[Int(slot.value)]
            }
            i = (i + 1) & mask
        }
        hint = -1
        return nil
    }

    /// Caches `value` for bytes `cached` did not find; a full table is emptied first
    /// (a cache: what it held is found again on the next miss). `hint` is set to the
    /// new entry, or -1.
    func add(_ bytes: UnsafeRawBufferPointer, _ value: Value, hint: inout Int32) {
        if values.count >= capacity { removeAll() }
        hint = poolCount + bytes.count < Int(Int32.max) ? insert(ByteHash.hash(bytes, seed: seed), bytes, value) : -1
    }

    func removeAll() {
        slots.update(repeating: Slot(), count: slotCount)
        poolCount = 0
        values.removeAll(keepingCapacity: true)
        extents.removeAll(keepingCapacity: true)
    }

    func intern(_ string: String) -> Value {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The new entry's number, or -1 when it could not be placed.
    private func insert(_ h: UInt64, _ bytes: UnsafeRawBufferPointer, _ v: Value) -> Int32 {
        if (values.count + 1) * 2 > slotCount { grow() }
        let slot = Slot(hash: h, start: Int32(poolCount), length: Int32(bytes.count), value: Int32(values.count))
        guard place(slot, in: slots, count: slotCount) else { return -1 }
        if poolCount + bytes.count > poolCapacity {
            var size = poolCapacity * 2
            while size < poolCount + bytes.count { size *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
            grown.update(from: pool, count: poolCount)
            pool.deallocate()
            pool = grown
            poolCapacity = size
        }
        if let src = bytes.baseAddress, !bytes.isEmpty {
            UnsafeMutableRawPointer(pool + poolCount).copyMemory(from: src, byteCount: bytes.count)
        }
        extents.append(UInt64(poolCount) << 32 | UInt64(bytes.count))
        poolCount += bytes.count
        values.append(v)
        return slot.value
    }

    /// False when the probe limit was hit: the string stays unshared.
    private func place(_ slot: Slot, in table: UnsafeMutablePointer<Slot>, count: Int) -> Bool {
        let mask = count - 1
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        for _ in 0..<Self.maxProbe {
            if table[i].hash == 0 {
                table[i] = slot
                return true
            }
            i = (i + 1) & mask
        }
        return false
    }

    private func grow() {
        let oldSlots = slots, oldCount = slotCount
        slotCount = oldCount * 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(), count: slotCount)
        for j in 0..<oldCount where oldSlots[j].hash != 0 { _ = place(oldSlots[j], in: slots, count: slotCount) }
        oldSlots.deallocate()
    }
}

typealias StringInterner = Interner<String>

extension Interner where Value == String {
    convenience init(capacity: Int = 1 << 18) {
        self.init(capacity: capacity, make: { $0 })
    }
}
