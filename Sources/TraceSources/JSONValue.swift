/// A parsed JSON value, for the formats that are not on the hot path (Jaeger's
/// documents): simpler to map than a pull parse, still bounded in depth.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    /// The number's text, so int64 values keep every digit.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)), (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: return false
        }
    }

    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields.first { $0.0 == key }?.1 }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var keys: [String] {
        if case .object(let fields) = self { return fields.map(\.0) }
        return []
    }

    /// An integer given as a number or a numeric string.
    var int64: Int64? {
        switch self {
        case .number(let t), .string(let t):
            if let v = Int64(t) { return v }
            if let d = Double(t), d == d.rounded(), abs(d) < 9.2e18 { return Int64(d) }
            return nil
        default: return nil
        }
    }
}

extension JSONScanner {
    mutating func readValue() throws -> JSONValue {
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"):
            try beginObject()
            var fields: [(String, JSONValue)] = []
            var first = true
            while let key = try nextKey(first: &first) {
                let name = text(of: key)
                fields.append((name, try readValue()))
            }
            return .object(fields)
        case UInt8(ascii: "["):
            try beginArray()
            var items: [JSONValue] = []
            var first = true
            while try nextElement(first: &first) { items.append(try readValue()) }
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            guard skipNull() else { throw fail("invalid literal") }
            return .null
        default:
            let start = pos
            try skipValue()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
            guard Double(text) != nil else { pos = start; throw fail("invalid number") }
            return .number(text)
        }
    }
}
