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

    private struct Table {
        var ids: [String: UInt32] = [:]
        var perKey: [UInt32: Int] = [:]
        var bytes = 0
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
        let length = value.utf8.count
        guard length <= maxLength else { return .inline }
        return table.withLock { t in
            if let id = t.ids[value] { return .shared(id) }
            let taken = t.perKey[key, default: 0]
            guard taken < perKeyLimit else { return .keyFull }
            guard t.ids.count < capacity, t.bytes + length <= byteBudget else { return .inline }
            let id = UInt32(t.ids.count)
            (values + Int(id)).initialize(to: value)
            t.ids[value] = id
            t.perKey[key] = taken + 1
            t.bytes += length
            return .shared(id)
        }
    }

    public static func value(_ id: UInt32) -> String {
        precondition(Int(id) < capacity, "shared attribute value number out of range")
        return values[Int(id)]
    }
}
