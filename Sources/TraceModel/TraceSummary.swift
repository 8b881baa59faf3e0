/// One row of the trace list.
public struct TraceSummary: Hashable, Sendable {
    public var traceID: TraceID
    public var rootService: String
    public var rootName: String
    /// False when the trace's root span has not arrived (the row shows its earliest orphan).
    public var hasRoot: Bool
    public var startTime: Int64
    public var duration: Int64
    public var spanCount: Int
    public var errorCount: Int
    public var serviceCount: Int

    public init(traceID: TraceID, rootService: String, rootName: String, hasRoot: Bool, startTime: Int64, duration: Int64,
                spanCount: Int, errorCount: Int, serviceCount: Int) {
        self.traceID = traceID
        self.rootService = rootService
        self.rootName = rootName
        self.hasRoot = hasRoot
        self.startTime = startTime
        self.duration = duration
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.serviceCount = serviceCount
    }

    public init(trace: Trace) {
        let root = trace.rootSpan
        traceID = trace.id
        rootService = root?.serviceName ?? ""
        rootName = root?.name ?? ""
        hasRoot = root.map { !$0.hasParent } ?? false
        startTime = trace.startTime == .max ? 0 : trace.startTime
        duration = trace.duration
        spanCount = trace.spanCount
        errorCount = trace.errorCount
        serviceCount = trace.serviceCount
    }
}

/// What narrows the trace list.
public struct TraceFilter: Hashable, Sendable {
    /// Traces with at least one span of this service.
    public var service: String?
    /// Traces with a span of this name (of `service`, when set).
    public var operation: String?
    public var minDuration: Int64?
    public var maxDuration: Int64?
    public var errorsOnly = false

    public init(service: String? = nil, operation: String? = nil, minDuration: Int64? = nil,
                maxDuration: Int64? = nil, errorsOnly: Bool = false) {
        self.service = service
        self.operation = operation
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.errorsOnly = errorsOnly
    }

    public func matches(_ trace: Trace) -> Bool {
        if errorsOnly && trace.errorCount == 0 { return false }
        if let m = minDuration, trace.duration < m { return false }
        if let m = maxDuration, trace.duration > m { return false }
        if service == nil && operation == nil { return true }
        return trace.spans.contains { span in
            (service == nil || span.serviceName == service) && (operation == nil || span.name == operation)
        }
    }
}

/// One row of the services view.
public struct ServiceSummary: Hashable, Sendable {
    public var name: String
    public var spanCount = 0
    public var traceCount = 0
    public var errorCount = 0
    /// Percentiles of the service's entry spans: roots, or spans whose parent is absent
    /// or belongs to another service — what a caller of the service waited for.
    public var p50: Int64 = 0
    public var p95: Int64 = 0
    public var lastSeen: Int64 = 0
    public var operations: [String] = []

    public init(name: String) {
        self.name = name
    }

    public var errorRate: Double { spanCount == 0 ? 0 : Double(errorCount) / Double(spanCount) }
}
