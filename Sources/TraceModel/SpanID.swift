/// A 64-bit span id. Zero means "no span" (OTLP's empty parentSpanId).
public struct SpanID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses hex of 1...16 digits (left-padded) or base64 of exactly 8 bytes.
    public init?<C: Collection>(text: C) where C.Element == UInt8 {
        if let v = text.isEmpty ? nil : HexCoding.parseUInt64(text) {
            value = v
        } else if let bytes = HexCoding.base64Decode(text), bytes.count == 8 {
            value = bytes.reduce(0) { $0 << 8 | UInt64($1) }
        } else {
            return nil
        }
    }

    public init?(_ text: String) {
        self.init(text: Array(text.utf8))
    }

    public static let zero = SpanID(0)
    public var isZero: Bool { value == 0 }

    /// 16 lowercase hex digits.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        HexCoding.hex(value, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.value < b.value }
}
