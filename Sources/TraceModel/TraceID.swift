/// A 128-bit trace id, held as two integers; hex appears only at the edges.
public struct TraceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses hex of 1...32 digits (shorter ids are left-padded, as Jaeger shortens
    /// them) or, failing that, base64 of exactly 16 bytes (old OTLP/JSON exporters).
    public init?<C: Collection>(text: C) where C.Element == UInt8 {
        if let parsed = Self.parseHex(text) {
            self = parsed
        } else if let bytes = HexCoding.base64Decode(text), bytes.count == 16 {
            self.init(bytes: bytes)
        } else {
            return nil
        }
    }

    public init?(_ text: String) {
        self.init(text: Array(text.utf8))
    }

    init(bytes: [UInt8]) {
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
        self.init(high: high, low: low)
    }

    static func parseHex<C: Collection>(_ text: C) -> TraceID? where C.Element == UInt8 {
        let count = text.count
        guard count > 0, count <= 32 else { return nil }
        let split = text.index(text.startIndex, offsetBy: max(0, count - 16))
        guard let low = HexCoding.parseUInt64(text[split...]) else { return nil }
        let high: UInt64
        if split == text.startIndex {
            high = 0
        } else {
            guard let h = HexCoding.parseUInt64(text[..<split]) else { return nil }
            high = h
        }
        return TraceID(high: high, low: low)
    }

    public var isZero: Bool { high == 0 && low == 0 }

    /// 32 lowercase hex digits.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        HexCoding.hex(high, into: &bytes)
        HexCoding.hex(low, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (a: TraceID, b: TraceID) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }
}

extension TraceID {
    /// A multiply-mix of the id's bits for open-addressed tables (Dictionary's SipHash
    /// costs several times more), keyed by a per-process seed so that a file cannot be
    /// crafted whose ids all land in one probe run.
    @inline(__always)
    var seededHash: Int {
        let seed = Self.hashSeed
        let mixed = ((low ^ seed) &* 0x9E37_79B9_7F4A_7C15 ^ high) &* (0xD6E8_FEB8_6659_FD93 ^ seed)
        return Int(truncatingIfNeeded: (mixed ^ mixed >> 29) >> 16)
    }

    private static let hashSeed = UInt64.random(in: .min ... .max) | 1
}
