/// Hex and base64 helpers shared by the ID types. IDs arrive as text at the edges
/// only; inside spanscope they are integers.
enum HexCoding {
    /// Value of one ASCII hex digit, or nil.
    @inline(__always)
    static func nibble(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Parses up to 16 hex digits into a UInt64 (shorter input is left-padded with zeros).
    static func parseUInt64<C: Collection>(_ digits: C) -> UInt64? where C.Element == UInt8 {
        guard digits.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard let n = nibble(byte) else { return nil }
            value = value << 4 | n
        }
        return value
    }

    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex(_ value: UInt64, into bytes: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(digits[Int((value >> UInt64(shift)) & 0xF)])
        }
    }

    /// Decodes standard or URL-safe base64, with or without padding.
    static func base64Decode<C: Collection>(_ text: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        var sawPadding = false
        for byte in text {
            let v: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): sawPadding = true; continue
            default: return nil
            }
            if sawPadding { return nil }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    static func base64Encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(table[Int(n >> 18 & 63)])
            out.append(table[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? table[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? table[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Base64 as OTLP/JSON writes `bytesValue` (and old exporters wrote ids).
public enum Base64 {
    public static func decode(_ text: String) -> [UInt8]? { HexCoding.base64Decode(Array(text.utf8)) }
    public static func encode(_ bytes: [UInt8]) -> String { HexCoding.base64Encode(bytes) }
}
