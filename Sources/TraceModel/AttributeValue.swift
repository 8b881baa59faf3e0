/// OTLP's AnyValue: every variant, nested.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([AttributeValue])
    case keyValueList([Attribute])
    /// An AnyValue with no variant set (`{}`), which OTLP allows.
    case empty

    /// The type name shown beside values in the span detail.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .bytes: return "bytes"
        case .array: return "array"
        case .keyValueList: return "map"
        case .empty: return "empty"
        }
    }

    /// A one-line rendering: strings as they are, containers in JSON-like form.
    public var displayText: String {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Self.format(d)
        case .bytes(let b): return HexCoding.base64Encode(b)
        case .array(let values): return "[" + values.map(\.nestedText).joined(separator: ", ") + "]"
        case .keyValueList(let attrs):
            return "{" + attrs.map { "\($0.key): \($0.value.nestedText)" }.joined(separator: ", ") + "}"
        case .empty: return "(empty)"
        }
    }

    private var nestedText: String {
        if case .string(let s) = self { return "\"\(s)\"" }
        return displayText
    }

    static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return String(d)
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .string(let s): return Int64(s)
        case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
        default: return nil
        }
    }
}

/// One key/value pair of a span, event, link, resource or scope.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: AttributeValue

    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The value of the first attribute with this key.
    public subscript(key key: String) -> AttributeValue? {
        first { $0.key == key }?.value
    }
}
