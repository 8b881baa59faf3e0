/// A span's (or event's, or link's) attributes, packed into one byte buffer: keys as
/// numbers from `AttributeKeys`, values tagged and varint-framed. An array of
/// `Attribute` costs 40 bytes per entry plus a heap string for every value over 15
/// bytes; this costs the value's bytes plus two or three. Entries are decoded as they
/// are read; order and duplicates are kept exactly as given.
public struct AttributeList: Hashable, Sendable {
    /// Empty, or a 4-byte little-endian entry count followed by the entries.
    private var bytes: [UInt8] = []

    public init() {}

    public init<S: Sequence>(_ attributes: S) where S.Element == Attribute {
        for a in attributes { append(a) }
    }

    /// A key in its encoded form, to append many entries under it without asking the
    /// shared key table each time (the decoder keeps one per distinct key).
    public struct EncodedKey: Sendable {
        fileprivate let bytes: [UInt8]

        public init(_ key: String) {
            var out: [UInt8] = []
            if let id = AttributeKeys.id(key) {
                Pack.varint(UInt64(id) + 1, into: &out)
            } else {
                out.append(0)
                Pack.string(key, into: &out)
            }
            bytes = out
        }
    }

    public var count: Int {
        guard bytes.count >= 4 else { return 0 }
        return Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// Bytes held, for memory accounting.
    public var packedSize: Int { bytes.count }

    public mutating func append(_ attribute: Attribute) {
        append(EncodedKey(attribute.key), attribute.value)
    }

    public mutating func append(_ key: EncodedKey, _ value: AttributeValue) {
        bumpCount()
        bytes.append(contentsOf: key.bytes)
        Pack.value(value, into: &bytes)
    }

    /// A string value straight from its UTF-8 bytes (the decoder's unescaped text).
    public mutating func append(_ key: EncodedKey, stringUTF8 utf8: UnsafeRawBufferPointer) {
        bumpCount()
        bytes.append(contentsOf: key.bytes)
        bytes.append(Pack.Tag.string.rawValue)
        Pack.varint(UInt64(utf8.count), into: &bytes)
        bytes.append(contentsOf: utf8)
    }

    /// Empties the list, keeping its buffer: a decoder reuses one list as scratch.
    public mutating func removeAll(keepingCapacity: Bool = false) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
    }

    /// The same list in a buffer of exactly its size (one allocation), to keep when
    /// it was built in a reused, larger one.
    public var compacted: AttributeList {
        var copy = AttributeList()
        copy.bytes = bytes.withUnsafeBufferPointer { Array($0) }
        return copy
    }

    public mutating func append<S: Sequence>(contentsOf attributes: S) where S.Element == Attribute {
        for a in attributes { append(a) }
    }

    private mutating func bumpCount() {
        if bytes.isEmpty { bytes = [0, 0, 0, 0] }
        let n = UInt32(count) + 1
        bytes[0] = UInt8(truncatingIfNeeded: n)
        bytes[1] = UInt8(truncatingIfNeeded: n >> 8)
        bytes[2] = UInt8(truncatingIfNeeded: n >> 16)
        bytes[3] = UInt8(truncatingIfNeeded: n >> 24)
    }

    /// The value of the first attribute with this key; other values are skipped unread.
    public subscript(key key: String) -> AttributeValue? {
        bytes.withUnsafeBufferPointer { buf in
            var r = Unpack(buf, at: startIndex.offset)
            while r.pos < buf.count {
                if r.key() == key { return r.value() }
                r.skipValue()
            }
            return nil
        }
    }

    /// The keys in order, without decoding values.
    public var keys: [String] {
        bytes.withUnsafeBufferPointer { buf in
            var r = Unpack(buf, at: startIndex.offset)
            var out: [String] = []
            while r.pos < buf.count {
                out.append(r.key())
                r.skipValue()
            }
            return out
        }
    }
}

extension AttributeList: Collection {
    public struct Index: Comparable, Sendable {
        fileprivate let offset: Int
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(offset: bytes.isEmpty ? 0 : 4) }
    public var endIndex: Index { Index(offset: bytes.count) }

    public subscript(position: Index) -> Attribute {
        bytes.withUnsafeBufferPointer { buf in
            var r = Unpack(buf, at: position.offset)
            let key = r.key()
            return Attribute(key, r.value())
        }
    }

    public func index(after i: Index) -> Index {
        bytes.withUnsafeBufferPointer { buf in
            var r = Unpack(buf, at: i.offset)
            r.skipKey()
            r.skipValue()
            return Index(offset: r.pos)
        }
    }
}

extension AttributeList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Attribute...) {
        self.init(elements)
    }
}

extension AttributeList: CustomStringConvertible {
    public var description: String { Array(self).description }
}

/// The encoding. Values: a tag byte, then a varint length and bytes (string, bytes),
/// a zigzag varint (int), 8 little-endian bytes (double), nothing (bool, empty), or a
/// varint count and the elements (array: values; map: key and value pairs).
private enum Pack {
    enum Tag: UInt8 {
        case empty = 0, string, boolFalse, boolTrue, int, double, bytes, array, map
    }

    static func varint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        varint(UInt64(s.utf8.count), into: &out)
        out.append(contentsOf: s.utf8)
    }

    static func value(_ value: AttributeValue, into out: inout [UInt8]) {
        switch value {
        case .empty: out.append(Tag.empty.rawValue)
        case .string(let s):
            out.append(Tag.string.rawValue)
            string(s, into: &out)
        case .bool(let b): out.append(b ? Tag.boolTrue.rawValue : Tag.boolFalse.rawValue)
        case .int(let i):
            out.append(Tag.int.rawValue)
            varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)), into: &out)
        case .double(let d):
            out.append(Tag.double.rawValue)
            var bits = d.bitPattern
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        case .bytes(let b):
            out.append(Tag.bytes.rawValue)
            varint(UInt64(b.count), into: &out)
            out.append(contentsOf: b)
        case .array(let values):
            out.append(Tag.array.rawValue)
            varint(UInt64(values.count), into: &out)
            for v in values { Pack.value(v, into: &out) }
        case .keyValueList(let attrs):
            out.append(Tag.map.rawValue)
            varint(UInt64(attrs.count), into: &out)
            for a in attrs {
                out.append(contentsOf: AttributeList.EncodedKey(a.key).bytes)
                Pack.value(a.value, into: &out)
            }
        }
    }
}

/// Reads what `Pack` wrote. Only ever given buffers `Pack` produced.
private struct Unpack {
    let buf: UnsafeBufferPointer<UInt8>
    var pos: Int

    init(_ buf: UnsafeBufferPointer<UInt8>, at pos: Int) {
        self.buf = buf
        self.pos = pos
    }

    mutating func varint() -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = buf[pos]
            pos += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    mutating func string() -> String {
        let n = Int(varint())
        defer { pos += n }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[pos..<pos + n]), as: UTF8.self)
    }

    mutating func key() -> String {
        let k = varint()
        return k == 0 ? string() : AttributeKeys.name(UInt32(k - 1))
    }

    mutating func skipKey() {
        if varint() == 0 { pos += Int(varint()) }
    }

    mutating func value() -> AttributeValue {
        let tag = Pack.Tag(rawValue: buf[pos]) ?? .empty
        pos += 1
        switch tag {
        case .empty: return .empty
        case .string: return .string(string())
        case .boolFalse: return .bool(false)
        case .boolTrue: return .bool(true)
        case .int:
            let z = varint()
            return .int(Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
        case .double:
            var bits: UInt64 = 0
            for i in 0..<8 { bits |= UInt64(buf[pos + i]) << (8 * UInt64(i)) }
            pos += 8
            return .double(Double(bitPattern: bits))
        case .bytes:
            let n = Int(varint())
            defer { pos += n }
            return .bytes(Array(buf[pos..<pos + n]))
        case .array:
            let n = Int(varint())
            var values: [AttributeValue] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(value()) }
            return .array(values)
        case .map:
            let n = Int(varint())
            var attrs: [Attribute] = []
            attrs.reserveCapacity(n)
            for _ in 0..<n {
                let k = key()
                attrs.append(Attribute(k, value()))
            }
            return .keyValueList(attrs)
        }
    }

    mutating func skipValue() {
        let tag = Pack.Tag(rawValue: buf[pos]) ?? .empty
        pos += 1
        switch tag {
        case .empty, .boolFalse, .boolTrue: return
        case .string, .bytes: pos += Int(varint())
        case .int: _ = varint()
        case .double: pos += 8
        case .array: for _ in 0..<varint() { skipValue() }
        case .map:
            for _ in 0..<varint() {
                skipKey()
                skipValue()
            }
        }
    }
}
