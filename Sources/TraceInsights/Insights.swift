import TraceModel

/// The tracing guide's rules checked on traces. Pure: no I/O, no UI.
public enum Insights {
    /// Custom keys for standard concepts → the semantic-convention key to use.
    public static let customKeyAliases: [String: String] = [
        "http_method": "http.request.method", "httpmethod": "http.request.method", "method": "http.request.method",
        "status_code": "http.response.status_code", "http_status": "http.response.status_code",
        "http_status_code": "http.response.status_code", "statuscode": "http.response.status_code",
        "url": "url.full", "http_url": "url.full", "path": "url.path", "route": "http.route",
        "db_type": "db.system.name", "db_system": "db.system.name", "query": "db.query.text", "sql": "db.query.text",
        "db_query": "db.query.text", "user_agent": "user_agent.original", "useragent": "user_agent.original",
        "host": "server.address", "hostname": "server.address", "client_ip": "client.address", "ip": "client.address",
    ]

    /// Deprecated semantic-convention keys → their successors.
    public static let deprecatedKeys: [String: String] = [
        "http.method": "http.request.method", "http.status_code": "http.response.status_code", "http.url": "url.full",
        "http.target": "url.path", "http.scheme": "url.scheme", "http.user_agent": "user_agent.original",
        "http.host": "server.address", "http.client_ip": "client.address", "http.flavor": "network.protocol.version",
        "db.statement": "db.query.text", "db.system": "db.system.name", "db.operation": "db.operation.name",
        "db.name": "db.namespace", "db.sql.table": "db.collection.name", "net.peer.name": "server.address",
        "net.peer.port": "server.port", "net.host.name": "server.address", "net.host.port": "server.port",
        "net.peer.ip": "network.peer.address", "messaging.destination": "messaging.destination.name",
        "exception.escaped": "(none: the attribute is deprecated)",
    ]

    static let httpVerbs: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"]

    /// Findings for one trace. `settled`: the trace is complete, so missing parents are real.
    public static func check(_ trace: Trace, config: InsightConfig = InsightConfig(), settled: Bool = true) -> [Finding] {
        var memo = Memo()
        return check(trace, config: config, settled: settled, memo: &memo)
    }

    /// The same, sharing verdicts on keys and names across calls: a store of many small
    /// traces repeats the same few dozen keys in every one. A memo is for one config.
    public static func check(_ trace: Trace, config: InsightConfig = InsightConfig(), settled: Bool = true, memo: inout Memo) -> [Finding] {
        var out: [Finding] = []
        func add(_ id: String, _ span: Span?, _ message: String) {
            guard config.enabled(id), let rule = Rules.rule(id) else { return }
            out.append(Finding(rule: id, severity: config.severity(of: rule), traceID: trace.id, spanID: span?.spanID,
                               service: span?.serviceName ?? "", spanName: span?.name ?? "", message: message))
        }
        var roots: [Span] = []
        for span in trace.spans {
            checkName(span, config: config, memo: &memo, add: add)
            checkErrors(span, in: trace, add: add)
            checkAttributes(span, config: config, memo: &memo, add: add)
            if span.isUnended {
                add("span-unended", span, "no end time")
            } else if span.endTime < span.startTime {
                add("span-end-before-start", span, "ends \(DurationFormat.format(span.startTime - span.endTime)) before it starts")
            }
            if let parent = trace.span(span.parentSpanID), span.startTime < parent.startTime {
                let across = parent.serviceName == span.serviceName ? "" : " (\(parent.serviceName) → \(span.serviceName))"
                add("clock-skew", span, "starts \(DurationFormat.format(parent.startTime - span.startTime)) before its parent \"\(parent.name)\"\(across)")
            }
            if !span.hasParent {
                roots.append(span)
                if span.kind == .client { add("client-root", span, "a CLIENT span without a parent") }
            } else if settled && trace.isOrphan(span) {
                if span.kind == .server || span.kind == .consumer {
                    add("context-lost-at-service-edge", span, "\(span.kind.name) span's parent \(span.parentSpanID.hex) never arrived")
                } else {
                    add("orphan-span", span, "parent \(span.parentSpanID.hex) never arrived")
                }
            }
        }
        if roots.count > 1 {
            add("multiple-roots", roots.sorted { $0.startTime < $1.startTime }[1], "\(roots.count) spans without a parent")
        }
        // Resource problems once per service and trace.
        var seenResources = Set<String>()
        for span in trace.spans where seenResources.insert(span.serviceName).inserted {
            if span.resource.attributes[key: "service.name"] == nil || span.serviceName.hasPrefix("unknown_service") {
                add("resource-no-service-name", span, "resource has \(span.resource.attributes[key: "service.name"] == nil ? "no service.name" : "service.name \(span.serviceName)")")
            }
        }
        return out
    }

    /// Verdicts on strings that repeat across a trace's spans (keys, names): a big
    /// trace has a few dozen distinct keys over a million attributes.
    public struct Memo: Sendable {
        public init() {}

        struct KeyVerdict: Sendable {
            var customAlias: String?
            var deprecated: String?
            var secretKind: String?
        }
        var keys: [String: KeyVerdict] = [:]
        var names: [String: (generic: Bool, highCardinality: String?)] = [:]

        mutating func key(_ key: String, config: InsightConfig) -> KeyVerdict {
            if let v = keys[key] { return v }
            let v = KeyVerdict(customAlias: customKeyAliases[key.lowercased()], deprecated: deprecatedKeys[key],
                               secretKind: SecretDetector.secretKey(key, config: config))
            if keys.count < 10_000 { keys[key] = v }
            return v
        }

        mutating func name(_ name: String, config: InsightConfig) -> (generic: Bool, highCardinality: String?) {
            if let v = names[name] { return v }
            let v = (config.genericNames.contains(name.lowercased()), NamePattern.highCardinalityReason(name))
            if names.count < 10_000 { names[name] = v }
            return v
        }
    }

    private static func checkName(_ span: Span, config: InsightConfig, memo: inout Memo, add: (String, Span?, String) -> Void) {
        let name = span.name
        let verdict = memo.name(name, config: config)
        if verdict.generic {
            add("span-name-generic", span, "\"\(name)\" names no operation")
        } else if httpVerbs.contains(name), span.kind == .server, let route = span.attributes[key: "http.route"]?.stringValue {
            // A bare method is what semconv prescribes only when no route is known.
            add("span-name-generic", span, "\"\(name)\" should be \"\(name) \(route)\"")
        }
        if let why = verdict.highCardinality {
            add("span-name-high-cardinality", span, "\(why) in \"\(NamePattern.template(name))\"")
        }
    }

    private static func statusCode(_ span: Span) -> Int64? {
        (span.attributes[key: "http.response.status_code"] ?? span.attributes[key: "http.status_code"])?.intValue
    }

    private static func checkErrors(_ span: Span, in trace: Trace, add: (String, Span?, String) -> Void) {
        if span.isError {
            if span.status.message.isEmpty { add("error-status-without-message", span, "ERROR status has no description") }
            if let parent = trace.span(span.parentSpanID), !parent.isError,
               !parent.events.contains(where: { $0.name == "exception" }), statusCode(parent).map({ $0 < 400 }) ?? true {
                add("error-swallowed", parent, "child \"\(span.name)\" failed; this span reports no error")
            }
            return
        }
        if span.events.contains(where: { $0.name == "exception" }) {
            add("error-without-status", span, "an exception event, but status is \(span.status.code.name.uppercased())")
        } else if let code = statusCode(span) {
            if span.kind == .server && code >= 500 || span.kind == .client && code >= 400 {
                add("error-without-status", span, "HTTP \(code) on a \(span.kind.name) span, but status is \(span.status.code.name.uppercased())")
            }
        }
    }

    private static func checkAttributes(_ span: Span, config: InsightConfig, memo: inout Memo, add: (String, Span?, String) -> Void) {
        if span.attributes.count > 128 { add("attribute-limits", span, "\(span.attributes.count) attributes (limit 128)") }
        if span.events.count > 128 { add("attribute-limits", span, "\(span.events.count) events (limit 128)") }
        if span.links.count > 128 { add("attribute-limits", span, "\(span.links.count) links (limit 128)") }
        let spots: [(String, [Attribute])] = [("", Array(span.attributes)), ("resource ", span.resource.attributes)]
            + span.events.map { ("event \"\($0.name)\" ", Array($0.attributes)) }
        for (place, attributes) in spots {
            for a in attributes {
                let verdict = memo.key(a.key, config: config)
                if place.isEmpty, let standard = verdict.customAlias {
                    add("attribute-custom-key", span, "\(a.key) → use \(standard)")
                }
                if place.isEmpty, let successor = verdict.deprecated {
                    add("attribute-deprecated", span, "\(a.key) → \(successor)")
                }
                switch SecretDetector.exposure(key: a.key, value: a.value, keyKind: .some(verdict.secretKind), config: config) {
                case .namedByKey(let kind)?:
                    add("sensitive-key", span, "\(place)attribute \(a.key) names a secret (\(kind)); value not shown")
                case .looksLike(let kind)?:
                    add("sensitive-value", span, "\(place)attribute \(a.key) holds what looks like a \(kind); value not shown")
                case nil:
                    break
                }
            }
        }
    }

    /// Across traces: per service, span names that become one pattern once ids are
    /// taken out, when the pattern covers at least `threshold` distinct names.
    public static func nameCardinality(_ traces: [Trace], threshold: Int = 5, config: InsightConfig = InsightConfig()) -> [Finding] {
        guard config.enabled("span-name-cardinality"), let rule = Rules.rule("span-name-cardinality") else { return [] }
        var names: [String: [String: Set<String>]] = [:]
        for trace in traces {
            for span in trace.spans {
                let template = NamePattern.template(span.name)
                if template != span.name { names[span.serviceName, default: [:]][template, default: []].insert(span.name) }
            }
        }
        var out: [Finding] = []
        for (service, patterns) in names.sorted(by: { $0.key < $1.key }) {
            for (pattern, distinct) in patterns.sorted(by: { $0.key < $1.key }) where distinct.count >= threshold {
                out.append(Finding(rule: rule.id, severity: config.severity(of: rule), traceID: nil, spanID: nil, service: service,
                                   spanName: pattern, message: "\(distinct.count) distinct names follow \"\(pattern)\""))
            }
        }
        return out
    }
}
