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
        var findings = TraceFindings(settled: settled)
        findings.update(trace, config: config, memo: &memo)
        return findings.findings
    }

    /// Verdicts on strings that repeat across a trace's spans (keys, names): a big
    /// trace has a few dozen distinct keys over a million attributes. Verdicts hold for
    /// one config: given another, the memo starts over under a new stamp.
    public struct Memo: Sendable {
        public init() {}

        private var config: InsightConfig?
        /// Names the config the verdicts are for: a `TraceFindings` keeps these 8 bytes
        /// instead of a copy of the config, and is checked anew when it differs.
        private var configStamp: UInt64 = 0

        /// Adopts `config` (forgetting verdicts made for another) and returns its stamp.
        mutating func stamp(for config: InsightConfig) -> UInt64 {
            if self.config != config {
                self = Memo()
                self.config = config
                configStamp = UInt64.random(in: 1 ... .max)
            }
            return configStamp
        }

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

    /// Across traces: per service, span names that become one pattern once ids are
    /// taken out, when the pattern covers at least `threshold` distinct names.
    public static func nameCardinality(_ traces: [Trace], threshold: Int = 5, config: InsightConfig = InsightConfig()) -> [Finding] {
        var tally = NameCardinalityTally()
        var templates = NameTemplateMemo()
        for trace in traces { tally.add(NameCardinalityTally.names(in: trace, templates: &templates)) }
        return tally.findings(threshold: threshold, config: config)
    }
}
