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

    func isSameStorage(as other: Resource) -> Bool { storage === other.storage }

    /// Which shared copy this is: spans decoded from one batch hold the same one. Stable
    /// only while some span holds it (lets a caller work out a verdict once per copy).
    public var identity: ObjectIdentifier { ObjectIdentifier(storage) }

    public static func == (a: Resource, b: Resource) -> Bool {
        a.storage === b.storage || (a.serviceName == b.serviceName && a.attributes == b.attributes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(serviceName)
        hasher.combine(attributes)
    }
}

/// A span's resource and instrumentation scope in one shared reference (8 bytes a
/// span): every span of an OTLP scope batch holds the same one.
public struct SpanOrigin: Hashable, Sendable {
    private final class Storage: Sendable {
        let resource: Resource
        let scope: InstrumentationScope
        init(_ resource: Resource, _ scope: InstrumentationScope) {
            self.resource = resource
            self.scope = scope
        }
    }

    private let storage: Storage

    private static let unknownStorage = Storage(.unknown, InstrumentationScope())

    /// One allocation; producers of many spans make an origin once per batch (or per
    /// service) and assign it to each span. No process-wide cache: decoders on several
    /// threads would all take its lock for every batch.
    public init(resource: Resource, scope: InstrumentationScope) {
        if resource.isSameStorage(as: .unknown) && scope.isSameStorage(as: Self.unknownStorage.scope) {
            storage = Self.unknownStorage
            return
        }
        storage = Storage(resource, scope)
    }

    public var resource: Resource { storage.resource }
    public var scope: InstrumentationScope { storage.scope }

    public static func == (a: SpanOrigin, b: SpanOrigin) -> Bool {
        a.storage === b.storage || (a.resource == b.resource && a.scope == b.scope)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(resource)
        hasher.combine(scope)
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

    func isSameStorage(as other: InstrumentationScope) -> Bool { storage === other.storage }

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
///
/// Held by the million, so the value is kept small (104 bytes): fields most spans leave
/// empty — the status message, trace state, events and links — live in one shared box
/// that is absent when all are empty.
public struct Span: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// `.zero` when the span is a root.
    public var parentSpanID: SpanID
    public var name: String
    public var startTime: Int64
    public var endTime: Int64
    public var attributes: AttributeList
    /// The resource and scope, shared by all spans of a batch.
    public var origin: SpanOrigin
    // Visible to inlined code: the decoders' initializer below is inlined into them,
    // where a call built each span twice (a copy into the result, the original destroyed).
    @usableFromInline var rare: RareFields.Slot?
    public var flags: UInt32
    public var kind: SpanKind
    @usableFromInline var statusCode: StatusCode

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID = .zero, name: String,
        kind: SpanKind = .internal, startTime: Int64, endTime: Int64,
        status: SpanStatus = SpanStatus(), attributes: AttributeList = [],
        events: [SpanEvent] = [], links: [SpanLink] = [],
        resource: Resource = .unknown,
        scope: InstrumentationScope = InstrumentationScope(), flags: UInt32 = 0,
        traceState: String = ""
    ) {
        self.init(traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: name, kind: kind,
                  startTime: startTime, endTime: endTime, statusCode: status.code, attributes: attributes,
                  origin: SpanOrigin(resource: resource, scope: scope), flags: flags,
                  statusMessage: status.message, traceState: traceState, events: events, links: links)
    }

    /// A span from its decoded fields, `origin` already made for its batch. Decoders
    /// build each span once with it: starting from a shared blank span retained what
    /// the blank holds, one count that every decoding thread wrote to.
    @inlinable
    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID, name: String, kind: SpanKind,
        startTime: Int64, endTime: Int64, statusCode: StatusCode, attributes: AttributeList,
        origin: SpanOrigin, flags: UInt32,
        statusMessage: String, traceState: String, events: [SpanEvent], links: [SpanLink]
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTime = startTime
        self.endTime = endTime
        self.statusCode = statusCode
        self.attributes = attributes
        self.origin = origin
        self.flags = flags
        self.rare = RareFields.make(statusMessage: statusMessage, traceState: traceState, events: events, links: links)
    }

    public var resource: Resource {
        get { origin.resource }
        set { origin = SpanOrigin(resource: newValue, scope: origin.scope) }
    }

    public var scope: InstrumentationScope {
        get { origin.scope }
        set { origin = SpanOrigin(resource: origin.resource, scope: newValue) }
    }

    public var status: SpanStatus {
        get { SpanStatus(code: statusCode, message: rare?.fields?.statusMessage ?? "") }
        set {
            statusCode = newValue.code
            if newValue.message != (rare?.fields?.statusMessage ?? "") { setRare(statusMessage: newValue.message) }
        }
    }

    public var events: [SpanEvent] {
        get { rare?.events ?? [] }
        set { setRare(events: newValue) }
    }

    public var links: [SpanLink] {
        get { rare?.fields?.links ?? [] }
        set { setRare(links: newValue) }
    }

    public var traceState: String {
        get { rare?.fields?.traceState ?? "" }
        set { setRare(traceState: newValue) }
    }

    /// Sets the rarely used fields at once (one box, not one per field); nil keeps a field.
    public mutating func setRare(statusMessage: String? = nil, traceState: String? = nil,
                                 events: [SpanEvent]? = nil, links: [SpanLink]? = nil) {
        rare = RareFields.make(statusMessage: statusMessage ?? rare?.fields?.statusMessage ?? "",
                               traceState: traceState ?? rare?.fields?.traceState ?? "",
                               events: events ?? rare?.events ?? [],
                               links: links ?? rare?.fields?.links ?? [])
    }

    /// Whether any of the boxed fields (status message, trace state, events, links) is set.
    var hasRareFields: Bool { rare != nil }

    /// Moves its events' and links' attribute lists into `arena` (a record packed per
    /// trace). Events alone — what most spans with a rare field have — are changed in
    /// their own array, not copied into a new one.
    mutating func moveRareAttributes(into arena: inout AttributeArena) {
        let slot = rare
        rare = nil
        switch consume slot {
        case .events(var events):
            for i in events.indices { arena.move(&events[i].attributes) }
            rare = .events(events)
        case .fields(let fields):
            var events = fields.events, links = fields.links
            for i in events.indices { arena.move(&events[i].attributes) }
            for i in links.indices { arena.move(&links[i].attributes) }
            rare = RareFields.make(statusMessage: fields.statusMessage, traceState: fields.traceState, events: events, links: links)
        case nil:
            break
        }
    }

    public var serviceName: String { resource.serviceName }
    public var hasParent: Bool { !parentSpanID.isZero }
    public var isError: Bool { statusCode == .error }
    /// Never negative: an end before the start (a producer bug) counts as zero.
    public var duration: Int64 { max(0, endTime &- startTime) }
    /// A span whose end time was never set (OTLP writes 0) was not ended.
    public var isUnended: Bool { endTime == 0 }
}

/// What few spans carry, boxed so the rest pay 8 bytes for it.
@usableFromInline final class RareFields: Hashable, Sendable {
    /// A span's 8 bytes for it: events alone (the common case: a span with an event or
    /// two and nothing else rare) are held as their array, without a box around it.
    @usableFromInline enum Slot: Hashable, Sendable {
        case events([SpanEvent])
        case fields(RareFields)

        var events: [SpanEvent] {
            switch self {
            case .events(let e): return e
            case .fields(let f): return f.events
            }
        }

        var fields: RareFields? {
            if case .fields(let f) = self { return f }
            return nil
        }
    }

    let statusMessage: String
    let traceState: String
    let events: [SpanEvent]
    let links: [SpanLink]

    private init(statusMessage: String, traceState: String, events: [SpanEvent], links: [SpanLink]) {
        self.statusMessage = statusMessage
        self.traceState = traceState
        self.events = events
        self.links = links
    }

    @usableFromInline static func make(statusMessage: String, traceState: String, events: [SpanEvent], links: [SpanLink]) -> Slot? {
        if statusMessage.isEmpty && traceState.isEmpty && links.isEmpty {
            return events.isEmpty ? nil : .events(events)
        }
        return .fields(RareFields(statusMessage: statusMessage, traceState: traceState, events: events, links: links))
    }

    @usableFromInline static func == (a: RareFields, b: RareFields) -> Bool {
        a === b || (a.statusMessage == b.statusMessage && a.traceState == b.traceState && a.events == b.events && a.links == b.links)
    }

    @usableFromInline func hash(into hasher: inout Hasher) {
        hasher.combine(statusMessage)
        hasher.combine(traceState)
        hasher.combine(events)
        hasher.combine(links)
    }
}
