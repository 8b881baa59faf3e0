/// OTLP's SpanKind, by its wire number.
public enum SpanKind: Int, Sendable, CaseIterable {
    case unspecified = 0, `internal` = 1, server = 2, client = 3, producer = 4, consumer = 5

    public var name: String {
        switch self {
        case .unspecified: return "unspecified"
        case .internal: return "internal"
        case .server: return "server"
        case .client: return "client"
        case .producer: return "producer"
        case .consumer: return "consumer"
        }
    }
}

public enum StatusCode: Int, Sendable {
    case unset = 0, ok = 1, error = 2

    public var name: String {
        switch self {
        case .unset: return "unset"
        case .ok: return "ok"
        case .error: return "error"
        }
    }
}

public struct SpanStatus: Hashable, Sendable {
    public var code: StatusCode
    public var message: String

    public init(code: StatusCode = .unset, message: String = "") {
        self.code = code
        self.message = message
    }
}

public struct SpanEvent: Hashable, Sendable {
    public var time: Int64
    public var name: String
    public var attributes: AttributeList

    public init(time: Int64, name: String, attributes: AttributeList = []) {
        self.time = time
        self.name = name
        self.attributes = attributes
    }
}

public struct SpanLink: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    public var attributes: AttributeList

    public init(traceID: TraceID, spanID: SpanID, attributes: AttributeList = []) {
        self.traceID = traceID
        self.spanID = spanID
        self.attributes = attributes
    }
}

/// The entity that produced spans. Held by reference: every span of a batch shares one
/// copy, and a span carries 8 bytes for it instead of 24 (millions of spans).
public struct Resource: Hashable, Sendable {
    private final class Storage: Sendable {
        let serviceName: String
        let attributes: [Attribute]
        init(_ serviceName: String, _ attributes: [Attribute]) {
            self.serviceName = serviceName
            self.attributes = attributes
        }
    }

    private var storage: Storage

    /// OpenTelemetry's fallback when a producer sets no `service.name`.
    public static let unknownServiceName = "unknown_service"
    /// A resource with no attributes and the fallback service name, shared.
    public static let unknown = Resource(serviceName: unknownServiceName)

    public init(attributes: [Attribute]) {
        storage = Storage(attributes[key: "service.name"]?.stringValue ?? Self.unknownServiceName, attributes)
    }

    public init(serviceName: String, attributes: [Attribute] = []) {
        storage = Storage(serviceName, attributes)
    }

    public var serviceName: String {
        get { storage.serviceName }
        set { storage = Storage(newValue, storage.attributes) }
    }

    public var attributes: [Attribute] {
        get { storage.attributes }
        set { storage = Storage(storage.serviceName, newValue) }
    }

    public static func == (a: Resource, b: Resource) -> Bool {
        a.storage === b.storage || (a.serviceName == b.serviceName && a.attributes == b.attributes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(serviceName)
        hasher.combine(attributes)
    }
}

/// The library that made the spans; shared by reference like `Resource`.
public struct InstrumentationScope: Hashable, Sendable {
    private final class Storage: Sendable {
        let name: String
        let version: String
        let attributes: [Attribute]
        init(_ name: String, _ version: String, _ attributes: [Attribute]) {
            self.name = name
            self.version = version
            self.attributes = attributes
        }
    }

    private var storage: Storage

    public init(name: String = "", version: String = "", attributes: [Attribute] = []) {
        storage = name.isEmpty && version.isEmpty && attributes.isEmpty ? Self.emptyStorage : Storage(name, version, attributes)
    }

    private static let emptyStorage = Storage("", "", [])

    public var name: String {
        get { storage.name }
        set { storage = Storage(newValue, storage.version, storage.attributes) }
    }

    public var version: String {
        get { storage.version }
        set { storage = Storage(storage.name, newValue, storage.attributes) }
    }

    public var attributes: [Attribute] {
        get { storage.attributes }
        set { storage = Storage(storage.name, storage.version, newValue) }
    }

    public static func == (a: InstrumentationScope, b: InstrumentationScope) -> Bool {
        a.storage === b.storage || (a.name == b.name && a.version == b.version && a.attributes == b.attributes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(attributes)
    }
}

/// One span, as OTLP defines it. Times are nanoseconds since the Unix epoch.
public struct Span: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// `.zero` when the span is a root.
    public var parentSpanID: SpanID
    public var name: String
    public var kind: SpanKind
    public var startTime: Int64
    public var endTime: Int64
    public var status: SpanStatus
    public var attributes: AttributeList
    public var events: [SpanEvent]
    public var links: [SpanLink]
    public var resource: Resource
    public var scope: InstrumentationScope
    public var flags: UInt32
    public var traceState: String

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID = .zero, name: String,
        kind: SpanKind = .internal, startTime: Int64, endTime: Int64,
        status: SpanStatus = SpanStatus(), attributes: AttributeList = [],
        events: [SpanEvent] = [], links: [SpanLink] = [],
        resource: Resource = .unknown,
        scope: InstrumentationScope = InstrumentationScope(), flags: UInt32 = 0,
        traceState: String = ""
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.attributes = attributes
        self.events = events
        self.links = links
        self.resource = resource
        self.scope = scope
        self.flags = flags
        self.traceState = traceState
    }

    public var serviceName: String { resource.serviceName }
    public var hasParent: Bool { !parentSpanID.isZero }
    public var isError: Bool { status.code == .error }
    /// Never negative: an end before the start (a producer bug) counts as zero.
    public var duration: Int64 { max(0, endTime &- startTime) }
    /// A span whose end time was never set (OTLP writes 0) was not ended.
    public var isUnended: Bool { endTime == 0 }
}
