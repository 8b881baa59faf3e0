#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// String attribute values shared by number, once per process: a packed list stores a
/// repeated value (`GET`, a user agent, a route, a tenant, a query text) as a small
/// number instead of its bytes. In the mixed benchmark corpus string values are 80 bytes
/// a span inline and 28 shared.
///
/// Values that never repeat (addresses, user ids) must not grow the table: each key
/// numbers at most `perKeyLimit` distinct values, after which the key's new values stay
/// inline in their lists; the table as a whole stops at `capacity` entries or
/// `byteBudget` bytes. Past any limit a value is simply written inline — sharing is a
/// saving, never a condition for reading.
public enum AttributeStrings {
    public static let capacity = 1 << 20
    public static let perKeyLimit = 1024
    /// Longer values are rare and mostly unique (stack traces, payloads).
    public static let maxLength = 256
    public static let byteBudget = 32 << 20

    /// What `share` decided for a value.
    public enum Sharing: Equatable, Sendable {
        case shared(UInt32)
        /// Not shared (too long, or a table limit reached); the key may take others.
        case inline
        /// This key has numbered its `perKeyLimit` values: its new ones stay inline.
        case keyFull
    }

    /// Numbers by value: an open-addressed table of (hash, number) keyed by the value's
    /// bytes, so a decoder asking about bytes it read builds no String unless the value
    /// is new. A probe stops after `maxProbe` slots (the value then stays inline), so
    /// input crafted to collide costs a bounded number of comparisons.
    private struct Table {
        struct Slot {
            /// 0 marks an empty slot (`ByteHash` sets the top bit).
            var hash: UInt64 = 0
            var id: UInt32 = 0
        }

        var slots = [Slot](repeating: Slot(), count: 1024)
        var count = 0
        var perKey: [UInt32: Int] = [:]
        var bytes = 0
        let seed = UInt64.random(in: .min ... .max)
        static let maxProbe = 32

        /// The number of the value with these bytes, or where to put it (nil when the
        /// probe limit is reached).
        func find(_ raw: UnsafeRawBufferPointer, hash: UInt64) -> (id: UInt32?, slot: Int?) {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            for _ in 0..<Self.maxProbe {
                let slot = slots[i]
                if slot.hash == 0 { return (nil, i) }
                if slot.hash == hash, AttributeStrings.value(slot.id, equals: raw) { return (slot.id, nil) }
                i = (i + 1) & mask
            }
            return (nil, nil)
        }

        mutating func grow() {
            let old = slots
            slots = [Slot](repeating: Slot(), count: old.count * 2)
            let mask = slots.count - 1
            for slot in old where slot.hash != 0 {
                var i = Int(truncatingIfNeeded: slot.hash) & mask
                while slots[i].hash != 0 { i = (i + 1) & mask }
                slots[i] = slot
            }
        }
    }

    private static let table = Locked(Table())

    /// Values by number, in storage allocated once for `capacity` and never moved: a
    /// value is written under the lock before its number is handed out, and read with no
    /// lock, as `AttributeKeys` does for keys (a reader got the number through something
    /// that orders it after the write: this lock, or the inbox's).
    nonisolated(unsafe) private static let values = UnsafeMutablePointer<String>.allocate(capacity: capacity)

    /// The value's number for a list entry under key number `key` (`AttributeKeys`).
    /// A value already numbered is shared whatever its key.
    public static func share(_ value: String, key: UInt32) -> Sharing {
        var utf8 = value
        return utf8.withUTF8 { share(UnsafeRawBufferPointer($0), key: key, text: value) }
    }

    /// The same for a value's UTF-8 bytes, as a decoder reads them: a String is made
    /// only for a value not numbered yet, and bytes that are not valid UTF-8 stay inline.
    public static func share(bytes raw: UnsafeRawBufferPointer, key: UInt32) -> Sharing {
        share(raw, key: key, text: nil)
    }

    private static func share(_ raw: UnsafeRawBufferPointer, key: UInt32, text: String?) -> Sharing {
        guard raw.count <= maxLength else { return .inline }
        return table.withLock { t in
            let hash = ByteHash.hash(raw, seed: t.seed)
            let found = t.find(raw, hash: hash)
            if let id = found.id { return .shared(id) }
            guard let slot = found.slot else { return .inline }
            let taken = t.perKey[key, default: 0]
            guard taken < perKeyLimit else { return .keyFull }
            guard t.count < capacity, t.bytes + raw.count <= byteBudget else { return .inline }
            // Invalid UTF-8 is repaired by decoding: the text would not match the bytes.
            let value = text ?? String(decoding: raw, as: UTF8.self)
            guard value.utf8.count == raw.count else { return .inline }
            let id = UInt32(t.count)
            (values + Int(id)).initialize(to: value)
            t.slots[slot] = Table.Slot(hash: hash, id: id)
            t.count += 1
            t.perKey[key] = taken + 1
            t.bytes += raw.count
            if t.count * 2 > t.slots.count { t.grow() }
            return .shared(id)
        }
    }

    /// Whether value `id` is these bytes (its stored String is native UTF-8).
    private static func value(_ id: UInt32, equals raw: UnsafeRawBufferPointer) -> Bool {
        var stored = values[Int(id)]
        return stored.withUTF8 { utf8 in
            utf8.count == raw.count && (raw.isEmpty || memcmp(utf8.baseAddress!, raw.baseAddress!, raw.count) == 0)
        }
    }

    public static func value(_ id: UInt32) -> String {
        precondition(Int(id) < capacity, "shared attribute value number out of range")
        return values[Int(id)]
    }
}
