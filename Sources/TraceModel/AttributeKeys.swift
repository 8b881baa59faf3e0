/// Attribute keys, numbered once per process: a packed attribute list stores a key as
/// a small number instead of a string (the same dozen keys repeat on millions of spans).
/// Keys that embed ids never repeat; past `capacity` numbered keys, new keys are
/// stored inline in their list instead, so such a tail cannot grow this table forever.
public enum AttributeKeys {
    public static let capacity = 1 << 16

    private struct Table {
        var ids: [String: UInt32] = [:]
        var names: [String] = []
    }

    private static let table = Locked(Table())

    /// The key's number, or nil when the table is full and the key is new.
    public static func id(_ key: String) -> UInt32? {
        table.withLock { t in
            if let id = t.ids[key] { return id }
            guard t.names.count < capacity else { return nil }
            let id = UInt32(t.names.count)
            t.ids[key] = id
            t.names.append(key)
            return id
        }
    }

    public static func name(_ id: UInt32) -> String {
        table.withLock { $0.names[Int(id)] }
    }
}
