#if canImport(Glibc)
import Glibc
#endif

/// Shares one value among equal strings (service names, span names, attribute keys
/// repeat across millions of spans). Lookup by raw bytes avoids building a String for
/// every repeat. `Value` is the string itself, or what is derived from it once (an
/// attribute key's encoded form).
///
/// An open-addressed table over a byte pool, hashed with a fast seeded word hash: this
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
    // run-time exclusivity checks on these cost more than the lookups themselves.
    @exclusivity(unchecked) private var slots = [Slot](repeating: Slot(), count: 256)
    @exclusivity(unchecked) private var pool: [UInt8] = []
    @exclusivity(unchecked) private var values: [Value] = []
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
    }

    func intern(_ bytes: UnsafeRawBufferPointer) -> Value {
        let h = Self.hash(bytes, seed: seed)
        let found: Int? = slots.withUnsafeBufferPointer { table in
            pool.withUnsafeBytes { stored in
                let mask = table.count - 1
                var i = Int(truncatingIfNeeded: h) & mask
                for _ in 0..<Self.maxProbe {
                    let slot = table[i]
                    if slot.hash == 0 { return nil }
                    if slot.hash == h, Int(slot.length) == bytes.count,
                       bytes.isEmpty || memcmp(stored.baseAddress! + Int(slot.start), bytes.baseAddress!, bytes.count) == 0 {
                        return Int(slot.value)
                    }
                    i = (i + 1) & mask
                }
                return nil
            }
        }
        if let found { return values[found] }
        let s = String(decoding: bytes, as: UTF8.self)
        let v = make(s)
        // Invalid UTF-8 is repaired by decoding, so the repaired text no longer
        // matches the bytes: don't cache it under them.
        if s.utf8.count == bytes.count && values.count < capacity && pool.count + bytes.count < Int(Int32.max) {
            insert(h, bytes, v)
        }
        return v
    }

    func intern(_ string: String) -> Value {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    private func insert(_ h: UInt64, _ bytes: UnsafeRawBufferPointer, _ v: Value) {
        if (values.count + 1) * 2 > slots.count { grow() }
        let slot = Slot(hash: h, start: Int32(pool.count), length: Int32(bytes.count), value: Int32(values.count))
        guard place(slot) else { return }
        pool.append(contentsOf: bytes)
        values.append(v)
    }

    /// False when the probe limit was hit: the string stays unshared.
    private func place(_ slot: Slot) -> Bool {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        for _ in 0..<Self.maxProbe {
            if slots[i].hash == 0 {
                slots[i] = slot
                return true
            }
            i = (i + 1) & mask
        }
        return false
    }

    private func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        for slot in old where slot.hash != 0 { _ = place(slot) }
    }

    /// A multiply-mix hash over 8-byte words, keyed by a per-table random seed.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = seed ^ (UInt64(bytes.count) &* k)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* k
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* k
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return h | (1 << 63)
    }
}

typealias StringInterner = Interner<String>

extension Interner where Value == String {
    convenience init(capacity: Int = 1 << 18) {
        self.init(capacity: capacity, make: { $0 })
    }
}
