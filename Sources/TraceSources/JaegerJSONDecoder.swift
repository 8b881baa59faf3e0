import TraceModel

/// Decodes Jaeger's JSON trace model, as its legacy query API and web UI ("Download
/// JSON") write it: `{"data": [trace…]}`, `{"data": trace}`, a bare trace object, or an
/// array of spans or traces (processes inline per span). Mapped the way Jaeger's own
/// model-to-OTLP translation does: processes → resource, the first CHILD_OF reference
/// → parent, other references → links, typed tags → attributes, logs → events,
/// microseconds → nanoseconds; `span.kind`, `otel.status_code`/`otel.status_description`,
/// `error`, `otel.scope.name`/`otel.scope.version` and `w3c.tracestate` tags become the
/// fields they stand for.
public struct JaegerJSONDecoder {
    public init() {}

    public func decode(_ bytes: [UInt8]) throws -> DecodedRecord {
        try bytes.withUnsafeBytes { raw in
            var s = JSONScanner(raw, maxDepth: 160)
            let value = try s.readValue()
            try s.expectEnd()
            return try decode(value)
        }
    }

    func decode(_ document: JSONValue) throws -> DecodedRecord {
        var out = DecodedRecord()
        var traces: [JSONValue] = []
        if let data = document["data"] {
            if let errors = document["errors"]?.array, !errors.isEmpty, data == .null {
                let messages = errors.compactMap { $0["msg"]?.string }
                throw JSONError(message: "Jaeger error: " + messages.joined(separator: "; "), offset: 0)
            }
            traces = data.array ?? (data == .null ? [] : [data])
        } else if document["spans"] != nil {
            traces = [document]
        } else if let items = document.array {
            // An array of traces, or of spans carrying their process inline.
            if items.allSatisfy({ $0["spans"] != nil }) {
                traces = items
            } else {
                traces = [.object([("spans", document)])]
            }
        } else {
            throw JSONError(message: "not a Jaeger trace document (no data, spans or traces)", offset: 0)
        }
        for trace in traces {
            guard let spans = trace["spans"]?.array else {
                throw JSONError(message: "a Jaeger trace without a spans array", offset: 0)
            }
            var processes: [String: Resource] = [:]
            if case .object(let fields) = trace["processes"] ?? .null {
                for (id, process) in fields { processes[id] = try resource(process) }
            }
            var origins: [String: SpanOrigin] = [:]
            for span in spans {
                do {
                    out.spans.append(try decodeSpan(span, processes: processes, origins: &origins))
                } catch let problem as SpanProblem {
                    out.problems.append(problem.message)
                }
            }
        }
        return out
    }

    struct SpanProblem: Error {
        var message: String
    }

    private func resource(_ process: JSONValue) throws -> Resource {
        let service = process["serviceName"]?.string ?? Resource.unknownServiceName
        var attributes = [Attribute("service.name", .string(service))]
        for tag in process["tags"]?.array ?? [] {
            if let a = try attribute(tag), a.key != "service.name" { attributes.append(a) }
        }
        return Resource(serviceName: service, attributes: attributes)
    }

    private func attribute(_ tag: JSONValue) throws -> Attribute? {
        guard let key = tag["key"]?.string else { return nil }
        let value = tag["value"] ?? .null
        let type = tag["type"]?.string ?? "string"
        switch type {
        case "string":
            if case .string(let s) = value { return Attribute(key, .string(s)) }
            if case .number(let n) = value { return Attribute(key, .string(n)) }
            if case .bool(let b) = value { return Attribute(key, .string(b ? "true" : "false")) }
        case "bool":
            if case .bool(let b) = value { return Attribute(key, .bool(b)) }
            if case .string(let s) = value, s == "true" || s == "false" { return Attribute(key, .bool(s == "true")) }
        case "int64":
            if let i = value.int64 { return Attribute(key, .int(i)) }
        case "float64":
            if case .number(let n) = value, let d = Double(n) { return Attribute(key, .double(d)) }
            if case .string(let s) = value, let d = Double(s) { return Attribute(key, .double(d)) }
        case "binary":
            if case .string(let s) = value, let bytes = Base64.decode(s) { return Attribute(key, .bytes(bytes)) }
        default:
            throw JSONError(message: "unknown tag type '\(type)' for \(key)", offset: 0)
        }
        throw JSONError(message: "tag \(key) is not a valid \(type)", offset: 0)
    }

    /// `origins`: one shared resource-and-scope per process and scope name, so a trace's
    /// spans don't each hold their own.
    private func decodeSpan(_ s: JSONValue, processes: [String: Resource], origins: inout [String: SpanOrigin]) throws -> Span {
        guard case .object = s else { throw JSONError(message: "a span is not an object", offset: 0) }
        guard let traceText = s["traceID"]?.string, let traceID = TraceID(traceText), !traceID.isZero else {
            throw SpanProblem(message: "span with an invalid traceID skipped")
        }
        guard let spanText = s["spanID"]?.string, let spanID = SpanID(spanText), !spanID.isZero else {
            throw SpanProblem(message: "span with an invalid spanID skipped")
        }
        guard let startMicros = (s["startTime"] ?? .null).int64 else {
            throw JSONError(message: "span \(spanText): startTime is not a number", offset: 0)
        }
        let durationValue = s["duration"] ?? .number("0")
        guard let durationMicros = durationValue.int64 else {
            throw JSONError(message: "span \(spanText): duration is not a number", offset: 0)
        }
        var span = Span(traceID: traceID, spanID: spanID, name: s["operationName"]?.string ?? "",
                        kind: .unspecified, startTime: startMicros &* 1000, endTime: (startMicros &+ durationMicros) &* 1000)
        span.flags = UInt32(truncatingIfNeeded: (s["flags"] ?? .null).int64 ?? 0)
        var resource = Resource.unknown
        let processID = s["processID"]?.string
        if let processID, let r = processes[processID] {
            resource = r
        } else if let inline = s["process"], inline != .null {
            resource = try self.resource(inline)
        }

        var parentChosen = false
        var links: [SpanLink] = []
        for ref in s["references"]?.array ?? [] {
            guard let t = ref["traceID"]?.string.flatMap(TraceID.init), let id = ref["spanID"]?.string.flatMap(SpanID.init) else { continue }
            if !parentChosen && ref["refType"]?.string == "CHILD_OF" && t == traceID {
                span.parentSpanID = id
                parentChosen = true
            } else {
                var attrs = AttributeList()
                if ref["refType"]?.string == "FOLLOWS_FROM" { attrs.append(Attribute("opentracing.ref_type", .string("follows_from"))) }
                links.append(SpanLink(traceID: t, spanID: id, attributes: attrs))
            }
        }

        var statusCode: StatusCode?
        var statusMessage = ""
        var errorTag = false
        var scope = InstrumentationScope()
        for tag in s["tags"]?.array ?? [] {
            guard let a = try attribute(tag) else { continue }
            switch a.key {
            case "span.kind":
                span.kind = ["internal": .internal, "server": .server, "client": .client, "producer": .producer,
                             "consumer": .consumer][a.value.displayText.lowercased()] ?? .unspecified
            case "otel.status_code":
                statusCode = a.value.displayText.uppercased() == "ERROR" ? .error : a.value.displayText.uppercased() == "OK" ? .ok : .unset
            case "otel.status_description":
                statusMessage = a.value.displayText
            case "error":
                errorTag = a.value == .bool(true) || a.value == .string("true")
                if !errorTag { span.attributes.append(a) }
            case "otel.scope.name", "otel.library.name":
                scope.name = a.value.displayText
            case "otel.scope.version", "otel.library.version":
                scope.version = a.value.displayText
            case "w3c.tracestate":
                span.traceState = a.value.displayText
            default:
                span.attributes.append(a)
            }
        }
        if let processID, processes[processID] != nil {
            let key = "\(processID)\u{0}\(scope.name)\u{0}\(scope.version)"
            if let known = origins[key] {
                span.origin = known
            } else {
                span.origin = SpanOrigin(resource: resource, scope: scope)
                origins[key] = span.origin
            }
        } else {
            span.origin = SpanOrigin(resource: resource, scope: scope)
        }
        span.status = SpanStatus(code: statusCode ?? (errorTag ? .error : .unset), message: statusMessage)

        var events: [SpanEvent] = []
        for log in s["logs"]?.array ?? [] {
            let micros = (log["timestamp"] ?? .null).int64 ?? startMicros
            var event = SpanEvent(time: micros &* 1000, name: "")
            for field in log["fields"]?.array ?? [] {
                guard let a = try attribute(field) else { continue }
                if a.key == "event", case .string(let name) = a.value, event.name.isEmpty {
                    event.name = name
                } else {
                    event.attributes.append(a)
                }
            }
            events.append(event)
        }
        if !events.isEmpty || !links.isEmpty { span.setRare(events: events, links: links) }
        return span
    }
}
