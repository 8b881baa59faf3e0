/// Attribute keys, numbered once per process: a packed attribute list stores a key as
/// a small number instead of a string (the same dozen keys repeat on millions of spans).
/// Keys that embed ids never repeat; past `capacity` numbered keys, new keys are
/// stored inline in their list instead, so such a tail cannot grow this table forever.
public enum AttributeKeys {
    public static let capacity = 1 << 16

    private static let ids = Locked([String: UInt32]())

    /// Names by number, in storage allocated once for `capacity` and never moved: a
    /// name is written under the lock before its number is handed out, and read with no
    /// lock (every attribute read decodes its key; taking the lock for each was 7% of a
    /// check of a big trace). A thread holding a number got it, or a list with it, after
    /// that write and through something that orders the two (this lock, or the inbox's).
    nonisolated(unsafe) private static let names = UnsafeMutablePointer<String>.allocate(capacity: capacity)

    /// The key's number, or nil when the table is full and the key is new.
    public static func id(_ key: String) -> UInt32? {
        ids.withLock { ids in
            if let id = ids[key] { return id }
            guard ids.count < capacity else { return nil }
            let id = UInt32(ids.count)
            (names + Int(id)).initialize(to: key)
            ids[key] = id
            return id
        }
    }

    public static func name(_ id: UInt32) -> String {
        precondition(Int(id) < capacity, "attribute key number out of range")
        return names[Int(id)]
    }
}
