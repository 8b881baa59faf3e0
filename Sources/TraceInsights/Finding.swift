import TraceModel

/// One place a rule is broken: a span, a trace, or a service × name aggregate.
public struct Finding: Sendable, Equatable {
    public var rule: String
    public var severity: Severity
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var service: String
    public var spanName: String
    /// What is wrong here. Never contains a secret value.
    public var message: String
}

/// What to check and how strictly; a `--config` file sets these.
public struct InsightConfig: Sendable, Equatable {
    public var disabled: Set<String> = []
    /// When non-empty, only these rules run.
    public var only: Set<String> = []
    public var severities: [String: Severity] = [:]
    public var genericNames: Set<String> = ["handler", "gin_handler", "database_call", "operation", "span", "request",
                                            "process", "execute", "call", "run", "default", "main", "unknown", "todo",
                                            "test", "http_request", "db_query", "function"]
    /// Key words (whole segments of a key) that name secrets.
    public var secretKeyWords: Set<String> = ["password", "passwd", "pwd", "secret", "apikey", "authorization", "cookie",
                                              "cvv", "cvc", "ssn", "pan", "token", "credentials", "privatekey"]
    /// Two-word secret key names, as adjacent segments.
    public var secretKeyPairs: Set<[String]> = [["api", "key"], ["card", "number"], ["private", "key"], ["access", "key"],
                                                ["secret", "key"], ["credit", "card"], ["set", "cookie"]]

    public init() {}

    public func enabled(_ rule: String) -> Bool {
        !disabled.contains(rule) && (only.isEmpty || only.contains(rule))
    }

    public func severity(of rule: Rule) -> Severity { severities[rule.id] ?? rule.severity }
}
