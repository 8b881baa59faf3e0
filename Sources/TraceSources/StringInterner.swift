#if canImport(Glibc)
import Glibc
#endif

/// Shares one value among equal strings (service names, span names, attribute keys
/// repeat across millions of spans). Lookup by raw bytes avoids building a String for
/// every repeat. `Value` is the string itself, or what is derived from it once (an
/// attribute key's encoded form).
final class Interner<Value> {
    private var table: [Int: [(bytes: [UInt8], value: Value)]] = [:]
    private(set) var count = 0
    /// Names that embed ids (the bad practice the insights flag) never repeat: past this
    /// many entries new strings are returned unshared, so a long tail cannot grow the
    /// table without bound.
    let capacity: Int
    private let make: (String) -> Value

    init(capacity: Int = 1 << 18, make: @escaping (String) -> Value) {
        self.capacity = capacity
        self.make = make
    }

    func intern(_ bytes: UnsafeRawBufferPointer) -> Value {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        let h = hasher.finalize()
        if let bucket = table[h] {
            for entry in bucket where entry.bytes.count == bytes.count {
                if bytes.isEmpty || entry.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) }) == 0 {
                    return entry.value
                }
            }
        }
        let s = String(decoding: bytes, as: UTF8.self)
        let v = make(s)
        // Invalid UTF-8 is repaired by decoding, so the repaired text no longer
        // matches the bytes: don't cache it under them.
        if s.utf8.count == bytes.count && count < capacity { table[h, default: []].append((Array(bytes), v)); count += 1 }
        return v
    }

    func intern(_ string: String) -> Value {
        var copy = string
        return copy.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }
}

typealias StringInterner = Interner<String>

extension Interner where Value == String {
    convenience init(capacity: Int = 1 << 18) {
        self.init(capacity: capacity, make: { $0 })
    }
}
