/// A multiply-mix hash over 8-byte words, keyed by a seed (each table picks a random
/// one, so input crafted to collide cannot be prepared in advance). The last word
/// overlaps the one before it (and short strings are read as two 4-byte or three
/// 1-byte loads), so no byte-by-byte tail loop runs. The top bit is always set: tables
/// mark an empty slot with 0.
package enum ByteHash {
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        let n = bytes.count
        var h = seed ^ (UInt64(n) &* k)
        var last: UInt64 = 0
        if n >= 8 {
            var i = 0
            while i + 8 < n {
                h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
                h ^= h >> 29
                i += 8
            }
            last = bytes.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 {
            last = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)) << 32
                | UInt64(bytes.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
        } else if n > 0 {
            last = UInt64(bytes[0]) << 16 | UInt64(bytes[n >> 1]) << 8 | UInt64(bytes[n - 1])
        }
        h = (h ^ last) &* k
        h ^= h >> 29
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return h | (1 << 63)
    }
}
