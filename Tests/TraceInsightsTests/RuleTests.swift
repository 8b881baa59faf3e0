import Testing
import TraceModel
@testable import TraceInsights

func mk(_ id: String, parent: String = "", name: String = "op", kind: SpanKind = .internal, service: String = "svc",
        start: Int64 = 10, end: Int64 = 20, status: SpanStatus = SpanStatus(), attributes: [Attribute] = [],
        events: [SpanEvent] = [], resource: [Attribute]? = nil) -> Span {
    Span(traceID: TraceID("1")!, spanID: SpanID(id)!, parentSpanID: parent.isEmpty ? .zero : SpanID(parent)!, name: name, kind: kind,
         startTime: start, endTime: end, status: status, attributes: AttributeList(attributes), events: events,
         resource: Resource(attributes: resource ?? [Attribute("service.name", .string(service))]))
}

func rules(_ spans: [Span]) -> [String] {
    Insights.check(Trace(id: TraceID("1")!, spans: spans)).map(\.rule).sorted()
}

@Suite struct RuleTests {
    @Test(arguments: ["handler", "gin_handler", "database_call", "operation", "Request"])
    func genericNames(_ name: String) {
        #expect(rules([mk("1", name: name)]) == ["span-name-generic"])
    }

    @Test(arguments: ["http.get_user_profile", "db.select_users", "order.payment.charge", "GET /users/{id}", "SELECT users",
                      "GET /api/orders/:id", "orders publish", "async task 1", "GET"])
    func semanticConventionNamesAreFine(_ name: String) {
        #expect(rules([mk("a", name: "http.root", kind: .server), mk("1", parent: "a", name: name, kind: .client)]) == [])
    }

    @Test func bareMethodOnAServerSpanWithARoute() {
        let f = Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: "GET", kind: .server,
                                                                   attributes: [Attribute("http.route", .string("/users/{id}"))])]))
        #expect(f.map(\.rule) == ["span-name-generic"])
        #expect(f[0].message == "\"GET\" should be \"GET /users/{id}\"")
    }

    @Test(arguments: [("GET /api/v1/users/123/profile?include=preferences", "a query string"),
                      ("GET /users/42", "a numeric id"), ("load 550e8400-e29b-41d4-a716-446655440000", "a UUID"),
                      ("notify alice@example.com", "an e-mail address"), ("fetch 5f2b9c1e7a3d", "a hex id"),
                      ("process order-123456", "a numeric id")])
    func idsInNames(_ name: String, _ reason: String) {
        let f = Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: name)]))
        #expect(f.map(\.rule) == ["span-name-high-cardinality"])
        #expect(f.first?.message.hasPrefix(reason) == true, "\(f)")
    }

    @Test func templatesPutPlaceholdersIn() {
        #expect(NamePattern.template("GET /api/v1/users/123/profile?include=preferences") == "GET /api/v1/users/{id}/profile")
        #expect(NamePattern.template("GET /docs/550e8400-e29b-41d4-a716-446655440000") == "GET /docs/{uuid}")
        #expect(NamePattern.template("GET /users/{id}") == "GET /users/{id}")
    }

    @Test func cardinalityAcrossTraces() {
        let traces = (1...6).map { i in
            Trace(id: TraceID(String(i))!, spans: [mk("1", name: "GET /users/\(i * 1000)/orders", service: "api")])
        }
        let f = Insights.nameCardinality(traces)
        #expect(f.count == 1)
        #expect(f[0].spanName == "GET /users/{id}/orders" && f[0].service == "api" && f[0].message.hasPrefix("6 distinct names"))
        #expect(Insights.nameCardinality(Array(traces.prefix(4))).isEmpty)
    }

    /// Remembered patterns are the patterns: before and after the memo is full, for
    /// names seen again and names seen once.
    @Test func nameTemplateMemoAgreesWithThePattern() {
        var memo = NameTemplateMemo(limit: 3)
        let names = ["GET /users/123", "GET /users/{id}", "SELECT users", "GET /users/123", "order 9f8e7d6c5b4a3f2e1d0c",
                     "GET /users/456?x=1", "handler", "GET /users/123", "order 9f8e7d6c5b4a3f2e1d0c", ""]
        for name in names + names.reversed() {
            #expect(memo.template(name) == NamePattern.template(name), "\(name)")
        }
        // Names tallied through one memo across traces make the same findings.
        var tally = NameCardinalityTally()
        var shared = NameTemplateMemo(limit: 2)
        let traces = (1...6).map { i in
            Trace(id: TraceID(String(i))!, spans: [mk("1", name: "GET /users/\(i * 1000)/orders", service: "api"),
                                                   mk("2", parent: "1", name: "GET /users/7/orders", service: "api")])
        }
        for trace in traces { tally.add(NameCardinalityTally.names(in: trace, templates: &shared)) }
        #expect(tally.findings().map(\.message) == Insights.nameCardinality(traces).map(\.message))
        #expect(tally.findings().first?.message.hasPrefix("7 distinct names") == true)
    }

    @Test func errorsWithoutStatus() {
        let exception = SpanEvent(time: 15, name: "exception", attributes: [Attribute("exception.type", .string("E"))])
        #expect(rules([mk("1", events: [exception])]) == ["error-without-status"])
        #expect(rules([mk("1", kind: .server, attributes: [Attribute("http.response.status_code", .int(503))])]) == ["error-without-status"])
        #expect(rules([mk("a", name: "root", kind: .server),
                       mk("1", parent: "a", kind: .client, attributes: [Attribute("http.status_code", .int(404))])])
                == ["attribute-deprecated", "error-without-status"])
        #expect(rules([mk("1", kind: .server, attributes: [Attribute("http.response.status_code", .int(404))])]) == [], "4xx is not a server error")
        #expect(rules([mk("1", status: SpanStatus(code: .error, message: "boom"), events: [exception])]) == [])
        #expect(rules([mk("1", status: SpanStatus(code: .error))]) == ["error-status-without-message"])
    }

    @Test func swallowedErrorsAreInfo() {
        let spans = [mk("1", name: "parent"), mk("2", parent: "1", name: "child", status: SpanStatus(code: .error, message: "x"))]
        let f = Insights.check(Trace(id: TraceID("1")!, spans: spans))
        #expect(f.map(\.rule) == ["error-swallowed"])
        #expect(f[0].severity == .info && f[0].spanName == "parent")
    }

    @Test func customAndDeprecatedKeys() {
        #expect(rules([mk("1", attributes: [Attribute("http_method", .string("GET"))])]) == ["attribute-custom-key"])
        #expect(rules([mk("1", attributes: [Attribute("db.statement", .string("SELECT 1"))])]) == ["attribute-deprecated"])
        #expect(rules([mk("1", attributes: [Attribute("user.id", .string("42")), Attribute("http.request.method", .string("GET"))])]) == [])
        let many = (0..<130).map { Attribute("k\($0)", .int(Int64($0))) }
        #expect(rules([mk("1", attributes: many)]) == ["attribute-limits"])
    }

    @Test(arguments: ["password", "user.password", "api_key", "apiKey", "payment.card_number", "http.request.header.authorization",
                      "session.cookie", "auth_token", "cvv"])
    func secretKeys(_ key: String) {
        let f = Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", attributes: [Attribute(key, .string("hunter2-value"))])]))
        #expect(f.map(\.rule) == ["sensitive-key"], "\(key)")
        #expect(f.allSatisfy { !$0.message.contains("hunter2") })
    }

    /// What the screen masks and what the insights report follow one rule: over keys and
    /// values of every shape, nested in arrays and maps, an attribute is reported exactly
    /// when its value would be masked, and never with the secret in the message.
    @Test func insightsReportExactlyWhatTheScreenMasks() {
        let keys = ["note", "password", "user.id", "auth_token", "config", "tokens.count", ""]
        let texts = ["plain", "alice@example.com", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "4111 1111 1111 1111", ""]
        var values: [AttributeValue] = [.empty, .int(3), .bool(true), .bytes([1, 2])] + texts.map { .string($0) }
        values += texts.map { .array([.string("x"), .string($0)]) }
        values += keys.flatMap { k in texts.map { .keyValueList([Attribute("inner", .int(1)), Attribute(k, .string($0))]) } }
        for key in keys {
            for value in values {
                let masked = Redaction.kind(key: key, value: value)
                let found = Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: "db.query", attributes: [Attribute(key, value)])]))
                    .filter { $0.rule.hasPrefix("sensitive-") }
                #expect((masked != nil) == !found.isEmpty, "\(key) = \(value)")
                if let masked { #expect(found.allSatisfy { $0.message.contains(masked) }, "\(key) = \(value)") }
                for t in texts where t.count > 4 { #expect(found.allSatisfy { !$0.message.contains(t) }) }
            }
        }
    }

    @Test(arguments: ["gen_ai.usage.input_tokens", "auth.cost", "tokenizer", "user.id", "password.changed", "keyboard.layout"])
    func notSecretKeys(_ key: String) {
        let value: AttributeValue = key == "password.changed" ? .bool(true) : key.hasSuffix("tokens") ? .int(512) : .string("x")
        #expect(rules([mk("1", attributes: [Attribute(key, value)])]) == [], "\(key)")
    }

    @Test(arguments: [("4111 1111 1111 1111", "card number"), ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "JWT"),
                      ("AKIAIOSFODNN7EXAMPLE", "AWS access key"), ("sk-abcdefghijklmnopqrstuvwx", "API key"),
                      ("alice@example.com", "e-mail address"), ("Bearer abcdefghijklmnopqrstuvwxyz", "bearer token")])
    func secretValues(_ value: String, _ kind: String) {
        let f = Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", attributes: [Attribute("note", .string(value))])]))
        #expect(f.map(\.rule) == ["sensitive-value"])
        #expect(f.first?.message.contains(kind) == true)
        #expect(f.allSatisfy { !$0.message.contains(value) })
    }

    @Test(arguments: ["4111111111111112", "1234567890123", "0000000000000000", "2026-11-25", "not@an", "GET /users"])
    func valuesThatAreNotSecrets(_ value: String) {
        #expect(rules([mk("1", attributes: [Attribute("note", .string(value))])]) == [])
    }

    @Test func lifecycleAndPropagation() {
        #expect(rules([mk("1", end: 0)]) == ["span-unended"])
        #expect(rules([mk("1", start: 20, end: 10)]) == ["span-end-before-start"])
        #expect(rules([mk("1"), mk("2", parent: "9")]) == ["orphan-span"])
        #expect(rules([mk("1", start: 10, end: 50), mk("2", parent: "1", start: 4, end: 20)]) == ["clock-skew"])
        #expect(rules([mk("1", start: 10, end: 50), mk("2", parent: "1", start: 10, end: 70)]) == [], "ending after the parent is async work, not skew")
        #expect(rules([mk("1"), mk("2", parent: "9", kind: .server)]) == ["context-lost-at-service-edge"])
        #expect(rules([mk("1", kind: .server), mk("2", kind: .server, start: 30, end: 40)]) == ["multiple-roots"])
        // It names the second root by start time, whatever the arrival order.
        let roots = Insights.check(Trace(id: TraceID("1")!, spans: [
            mk("3", name: "late", kind: .server, service: "c", start: 50, end: 60), mk("1", name: "first", kind: .server, start: 5, end: 9),
            mk("2", name: "second", kind: .server, service: "b", start: 20, end: 40)]))
        #expect(roots.map { [$0.rule, $0.spanName, $0.service, $0.spanID?.hex ?? ""] } == [["multiple-roots", "second", "b", SpanID("2")!.hex]])
        #expect(roots.first?.message == "3 spans without a parent")
        #expect(rules([mk("1", kind: .client)]) == ["client-root"])
        #expect(rules([mk("1", kind: .server)]) == [], "a SERVER root is a normal entry point")
        #expect(rules([mk("1", resource: [])]) == ["resource-no-service-name"])
        #expect(rules([mk("1", service: "unknown_service:python")]) == ["resource-no-service-name"])
        // Before the trace settles, a missing parent may still arrive.
        #expect(Insights.check(Trace(id: TraceID("1")!, spans: [mk("2", parent: "9")]), settled: false).isEmpty)
    }

    @Test func configDisablesAndOverrides() {
        var config = InsightConfig()
        config.disabled = ["span-name-generic"]
        #expect(Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: "handler")]), config: config).isEmpty)
        config = InsightConfig()
        config.severities["span-name-generic"] = .error
        #expect(Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: "handler")]), config: config).first?.severity == .error)
        config = InsightConfig()
        config.only = ["span-unended"]
        #expect(Insights.check(Trace(id: TraceID("1")!, spans: [mk("1", name: "handler", end: 0)]), config: config).map(\.rule) == ["span-unended"])
    }
}
