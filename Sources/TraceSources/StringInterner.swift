/// Shares one storage among equal strings (service names, span names, attribute keys
/// repeat across millions of spans). Lookup by raw bytes avoids building a String for
/// every repeat.
final class StringInterner {
    private var table: [Int: [String]] = [:]
    private(set) var count = 0
    /// Names that embed ids (the bad practice the insights flag) never repeat: past this
    /// many entries new strings are returned unshared, so a long tail cannot grow the
    /// table without bound.
    let capacity: Int

    init(capacity: Int = 1 << 18) {
        self.capacity = capacity
    }

    func intern(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        let h = hasher.finalize()
        if let bucket = table[h] {
            for s in bucket where s.utf8.count == bytes.count && s.utf8.elementsEqual(bytes) { return s }
        }
        let s = String(decoding: bytes, as: UTF8.self)
        // Invalid UTF-8 is repaired by decoding, so the repaired text no longer
        // matches the bytes: don't cache it under them.
        if s.utf8.count == bytes.count && count < capacity { table[h, default: []].append(s); count += 1 }
        return s
    }

    func intern(_ string: String) -> String {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }
}
