import TraceModel

/// Writes spans as one OTLP/JSON `ExportTraceServiceRequest` line, the way the
/// OpenTelemetry file exporters do: lowerCamelCase keys, hex ids, int64 and times as
/// decimal strings. The benchmark writes its corpus with it and the tests round-trip
/// through the decoder, so both sides of the format are checked against each other.
public enum OTLPJSONEncoder {
    /// Appends one line (with its newline) holding `spans`, grouped by resource and scope
    /// in order of first appearance.
    public static func appendLine(_ spans: [Span], to out: inout [UInt8]) {
        var groups: [(resource: Resource, scopes: [(scope: InstrumentationScope, spans: [Span])])] = []
        for span in spans {
            let g = groups.firstIndex { $0.resource == span.resource } ?? {
                groups.append((span.resource, []))
                return groups.count - 1
            }()
            if let s = groups[g].scopes.firstIndex(where: { $0.scope == span.scope }) {
                groups[g].scopes[s].spans.append(span)
            } else {
                groups[g].scopes.append((span.scope, [span]))
            }
        }
        out.append(contentsOf: #"{"resourceSpans":["#.utf8)
        for (gi, group) in groups.enumerated() {
            if gi > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"resource":{"attributes":"#.utf8)
            var resourceAttributes = group.resource.attributes
            // A resource built from a name alone still carries it on the wire.
            if resourceAttributes[key: "service.name"] == nil && group.resource.serviceName != Resource.unknownServiceName {
                resourceAttributes.insert(Attribute("service.name", .string(group.resource.serviceName)), at: 0)
            }
            appendAttributes(resourceAttributes, to: &out)
            out.append(contentsOf: #"},"scopeSpans":["#.utf8)
            for (si, scoped) in group.scopes.enumerated() {
                if si > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"scope":{"name":"#.utf8)
                appendString(scoped.scope.name, to: &out)
                if !scoped.scope.version.isEmpty {
                    out.append(contentsOf: #","version":"#.utf8)
                    appendString(scoped.scope.version, to: &out)
                }
                if !scoped.scope.attributes.isEmpty {
                    out.append(contentsOf: #","attributes":"#.utf8)
                    appendAttributes(scoped.scope.attributes, to: &out)
                }
                out.append(contentsOf: #"},"spans":["#.utf8)
                for (k, span) in scoped.spans.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    appendSpan(span, to: &out)
                }
                out.append(contentsOf: "]}".utf8)
            }
            out.append(contentsOf: "]}".utf8)
        }
        out.append(contentsOf: "]}\n".utf8)
    }

    public static func line(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        appendLine(spans, to: &out)
        return out
    }

    static func appendSpan(_ span: Span, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"traceId":"\#(span.traceID.hex)","spanId":"\#(span.spanID.hex)""#.utf8)
        if span.hasParent { out.append(contentsOf: #","parentSpanId":"\#(span.parentSpanID.hex)""#.utf8) }
        if !span.traceState.isEmpty {
            out.append(contentsOf: #","traceState":"#.utf8)
            appendString(span.traceState, to: &out)
        }
        if span.flags != 0 { out.append(contentsOf: #","flags":\#(span.flags)"#.utf8) }
        out.append(contentsOf: #","name":"#.utf8)
        appendString(span.name, to: &out)
        out.append(contentsOf: #","kind":\#(span.kind.rawValue),"startTimeUnixNano":"\#(span.startTime)","endTimeUnixNano":"\#(span.endTime)""#.utf8)
        if !span.attributes.isEmpty {
            out.append(contentsOf: #","attributes":"#.utf8)
            appendAttributes(span.attributes, to: &out)
        }
        if !span.events.isEmpty {
            out.append(contentsOf: #","events":["#.utf8)
            for (i, event) in span.events.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"timeUnixNano":"\#(event.time)","name":"#.utf8)
                appendString(event.name, to: &out)
                if !event.attributes.isEmpty {
                    out.append(contentsOf: #","attributes":"#.utf8)
                    appendAttributes(event.attributes, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if !span.links.isEmpty {
            out.append(contentsOf: #","links":["#.utf8)
            for (i, link) in span.links.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"traceId":"\#(link.traceID.hex)","spanId":"\#(link.spanID.hex)""#.utf8)
                if !link.attributes.isEmpty {
                    out.append(contentsOf: #","attributes":"#.utf8)
                    appendAttributes(link.attributes, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: #","status":{"#.utf8)
        if span.status.code != .unset { out.append(contentsOf: #""code":\#(span.status.code.rawValue)"#.utf8) }
        if !span.status.message.isEmpty {
            if span.status.code != .unset { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""message":"#.utf8)
            appendString(span.status.message, to: &out)
        }
        out.append(contentsOf: "}}".utf8)
    }

    static func appendAttributes(_ attributes: some Sequence<Attribute>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, a) in attributes.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"key":"#.utf8)
            appendString(a.key, to: &out)
            out.append(contentsOf: #","value":"#.utf8)
            appendValue(a.value, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    static func appendValue(_ value: AttributeValue, to out: inout [UInt8]) {
        switch value {
        case .string(let s):
            out.append(contentsOf: #"{"stringValue":"#.utf8)
            appendString(s, to: &out)
        case .bool(let b): out.append(contentsOf: #"{"boolValue":\#(b)"#.utf8)
        case .int(let i): out.append(contentsOf: #"{"intValue":"\#(i)""#.utf8)
        case .double(let d):
            // proto3 JSON spells the non-finite values as strings.
            if d.isNaN { out.append(contentsOf: #"{"doubleValue":"NaN""#.utf8) }
            else if d.isInfinite { out.append(contentsOf: #"{"doubleValue":"\#(d > 0 ? "Infinity" : "-Infinity")""#.utf8) }
            else { out.append(contentsOf: #"{"doubleValue":\#(d)"#.utf8) }
        case .bytes(let b): out.append(contentsOf: #"{"bytesValue":"\#(Base64.encode(b))""#.utf8)
        case .array(let values):
            out.append(contentsOf: #"{"arrayValue":{"values":["#.utf8)
            for (i, v) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendValue(v, to: &out)
            }
            out.append(contentsOf: "]}".utf8)
        case .keyValueList(let attrs):
            out.append(contentsOf: #"{"kvlistValue":{"values":"#.utf8)
            appendAttributes(attrs, to: &out)
            out.append(UInt8(ascii: "}"))
        case .empty:
            out.append(UInt8(ascii: "{"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
