import TraceModel

/// Realistic traffic for `--demo`: a shop behind an api-gateway with auth, user,
/// payment, inventory, search and notification services, database and cache calls,
/// async work, fan-out, retries, slow outliers and a few percent errors. Span names
/// and attributes follow OpenTelemetry's semantic conventions, with a few deliberate
/// bad practices mixed in (a generic `handler` span, a URL with ids as a span name, a
/// card number in an attribute, an orphan from a lost context hand-off) for the
/// insights to find. Deterministic for a seed.
public struct DemoTraffic {
    private var rng: DemoRandom

    public init(seed: UInt64) {
        rng = DemoRandom(seed: seed)
    }

    static let serviceNames = ["api-gateway", "auth", "user", "payment", "inventory", "search", "notification"]

    static func resource(_ name: String) -> Resource {
        Resource(attributes: [
            Attribute("service.name", .string(name)),
            Attribute("service.version", .string(name == "payment" ? "3.2.1" : "1.8.0")),
            Attribute("deployment.environment.name", .string("demo")),
            Attribute("host.name", .string("\(name)-7f9c\(name.count)d")),
            Attribute("telemetry.sdk.language", .string(name == "payment" ? "java" : name == "search" ? "go" : "python")),
        ])
    }

    static let resources: [String: Resource] = Dictionary(uniqueKeysWithValues: serviceNames.map { ($0, resource($0)) })
    /// Each service's resource and scope, shared by all its spans.
    static let origins: [String: SpanOrigin] = resources.mapValues { r in
        SpanOrigin(resource: r, scope: InstrumentationScope(name: "demo.\(r.serviceName)", version: "1.0"))
    }

    /// One whole trace starting at `start` (epoch ns).
    public mutating func trace(startingAt start: Int64) -> [Span] {
        var b = Builder(traceID: TraceID(high: rng.next(), low: rng.next()), rng: rng)
        switch rng.below(100) {
        case 0..<35: b.browse(start)
        case 35..<60: b.userProfile(start)
        case 60..<85: b.checkout(start)
        default: b.login(start)
        }
        rng = b.rng
        return b.spans
    }
}

/// Builds one trace; each request shape is a method.
private struct Builder {
    let traceID: TraceID
    var rng: DemoRandom
    var spans: [Span] = []

    init(traceID: TraceID, rng: DemoRandom) {
        self.traceID = traceID
        self.rng = rng
    }

    mutating func ms(_ lo: Double, _ hi: Double) -> Int64 {
        var v = lo + (hi - lo) * rng.unit()
        if rng.below(100) < 2 { v *= 12 }  // slow outliers
        return Int64(v * 1_000_000)
    }

    @discardableResult
    mutating func span(_ name: String, _ service: String, parent: SpanID, kind: SpanKind, start: Int64, duration: Int64,
                       attributes: [Attribute] = [], error: String? = nil, events: [SpanEvent] = []) -> SpanID {
        let id = SpanID(rng.next() | 1)
        var status = SpanStatus()
        var events = events
        if let error {
            status = SpanStatus(code: .error, message: error)
            events.append(SpanEvent(time: start + duration * 9 / 10, name: "exception", attributes: [
                Attribute("exception.type", .string(service == "payment" ? "PaymentDeclinedException" : "TimeoutError")),
                Attribute("exception.message", .string(error)),
            ]))
        }
        var span = Span(traceID: traceID, spanID: id, parentSpanID: parent, name: name, kind: kind, startTime: start,
                        endTime: start + duration, status: status, attributes: AttributeList(attributes), events: events)
        span.origin = DemoTraffic.origins[service]!
        spans.append(span)
        return id
    }

    static func http(_ method: String, _ route: String, status: Int, server: Bool) -> [Attribute] {
        var a = [Attribute("http.request.method", .string(method)), Attribute("http.response.status_code", .int(Int64(status)))]
        if server {
            a += [Attribute("http.route", .string(route)), Attribute("url.scheme", .string("https")),
                  Attribute("user_agent.original", .string("Mozilla/5.0 (X11; Linux x86_64)"))]
        } else {
            a += [Attribute("server.address", .string(route)), Attribute("server.port", .int(8080))]
        }
        return a
    }

    static func db(_ op: String, _ table: String, _ query: String) -> [Attribute] {
        [Attribute("db.system.name", .string("postgresql")), Attribute("db.operation.name", .string(op)),
         Attribute("db.collection.name", .string(table)), Attribute("db.query.text", .string(query))]
    }

    /// gateway SERVER → CLIENT call → downstream SERVER, returning the downstream span and its start.
    mutating func call(_ name: String, from parent: SpanID, at start: Int64, to service: String, route: String,
                       method: String, budget: Int64, status: Int = 200,
                       body: (inout Builder, SpanID, Int64, Int64) -> Void) {
        let net = ms(0.2, 0.8)
        let client = span("\(method)", "api-gateway", parent: parent, kind: .client, start: start, duration: budget + 2 * net,
                          attributes: Self.http(method, service, status: status, server: false),
                          error: status >= 400 ? "\(service) answered \(status)" : nil)
        let server = span("\(method) \(route)", service, parent: client, kind: .server, start: start + net, duration: budget,
                          attributes: Self.http(method, route, status: status, server: true),
                          error: status >= 500 ? "internal error" : nil)
        body(&self, server, start + net, budget)
    }

    mutating func auth(_ parent: SpanID, _ start: Int64) -> Int64 {
        let d = ms(1, 4)
        call("auth", from: parent, at: start, to: "auth", route: "/verify", method: "POST", budget: d) { b, s, t, d in
            let cache = d / 3
            b.span("GET", "auth", parent: s, kind: .client, start: t + d / 10, duration: cache, attributes: [
                Attribute("db.system.name", .string("redis")), Attribute("db.operation.name", .string("GET")),
                Attribute("db.query.text", .string("GET session:*")),
            ])
        }
        return d + ms(0.5, 1)
    }

    mutating func browse(_ t0: Int64) {
        let total = ms(20, 60)
        let root = span("GET /api/products", "api-gateway", parent: .zero, kind: .server, start: t0, duration: total,
                        attributes: Self.http("GET", "/api/products", status: 200, server: true))
        var t = t0 + ms(0.2, 1)
        t += auth(root, t)
        let failing = rng.below(100) < 3
        call("search", from: root, at: t, to: "search", route: "/search", method: "GET", budget: total * 6 / 10,
             status: failing ? 503 : 200) { b, s, t, d in
            let hit = b.rng.below(2) == 0
            b.span("GET", "search", parent: s, kind: .client, start: t + 100_000, duration: b.ms(0.3, 1), attributes: [
                Attribute("db.system.name", .string("redis")), Attribute("db.operation.name", .string("GET")),
                Attribute("cache.hit", .bool(hit)),
            ])
            if !hit {
                // Fan-out over shards, in parallel.
                for shard in 0..<4 {
                    b.span("SELECT products", "search", parent: s, kind: .client, start: t + d / 5 + Int64(shard) * 40_000,
                           duration: d / 2 - Int64(shard) * 300_000,
                           attributes: Self.db("SELECT", "products", "SELECT id, name, price FROM products WHERE shard = $1 AND name ILIKE $2")
                            + [Attribute("db.shard", .int(Int64(shard)))])
                }
            }
        }
    }

    mutating func userProfile(_ t0: Int64) {
        let total = ms(8, 25)
        let id = 1000 + rng.below(9000)
        // A legacy client path puts ids in the span name (a bad practice, on purpose).
        let legacy = rng.below(100) < 15
        let name = legacy ? "GET /api/v1/users/\(id)/profile?include=preferences" : "GET /api/users/{id}"
        let root = span(name, "api-gateway", parent: .zero, kind: .server, start: t0, duration: total,
                        attributes: Self.http("GET", "/api/users/{id}", status: 200, server: true) + [Attribute("user.id", .string("\(id)"))])
        var t = t0 + ms(0.2, 0.6)
        t += auth(root, t)
        call("user", from: root, at: t, to: "user", route: "/users/{id}", method: "GET", budget: total / 2) { b, s, t, d in
            // A generic name from a framework default (a bad practice, on purpose).
            let h = b.span("handler", "user", parent: s, kind: .internal, start: t + 50_000, duration: d - 100_000)
            b.span("SELECT users", "user", parent: h, kind: .client, start: t + 200_000, duration: d / 2,
                   attributes: Self.db("SELECT", "users", "SELECT * FROM users WHERE id = $1"))
        }
    }

    mutating func checkout(_ t0: Int64) {
        let total = ms(80, 250)
        let root = span("POST /api/checkout", "api-gateway", parent: .zero, kind: .server, start: t0, duration: total,
                        attributes: Self.http("POST", "/api/checkout", status: 200, server: true))
        var t = t0 + ms(0.3, 1)
        t += auth(root, t)
        let reserve = total / 5
        call("inventory", from: root, at: t, to: "inventory", route: "/reserve", method: "POST", budget: reserve) { b, s, t, d in
            b.span("UPDATE inventory", "inventory", parent: s, kind: .client, start: t + 200_000, duration: d * 7 / 10,
                   attributes: Self.db("UPDATE", "inventory", "UPDATE inventory SET reserved = reserved + $1 WHERE sku = $2"))
        }
        t += reserve + ms(1, 2)
        let declined = rng.below(100) < 6
        let payBudget = total / 2
        call("payment", from: root, at: t, to: "payment", route: "/charge", method: "POST", budget: payBudget,
             status: declined ? 502 : 200) { b, s, t, d in
            // Retries against the card processor: the first attempt times out sometimes.
            let attempts = b.rng.below(100) < 20 ? 2 : 1
            var at = t + 500_000
            let each = d / Int64(attempts + 1)
            var attrs = [Attribute("payment.amount", .double(Double(b.rng.below(20000)) / 100)),
                         Attribute("payment.currency", .string("EUR"))]
            if b.rng.below(100) < 10 {
                // A card number in an attribute (a bad practice, on purpose).
                attrs.append(Attribute("payment.card_number", .string("4111111111111111")))
            }
            let charge = b.span("payment.charge", "payment", parent: s, kind: .internal, start: t + 100_000, duration: d - 200_000,
                                attributes: attrs, error: declined ? "card declined by processor" : nil)
            for attempt in 0..<attempts {
                let last = attempt == attempts - 1
                b.span("POST", "payment", parent: charge, kind: .client, start: at, duration: each,
                       attributes: Self.http("POST", "api.card-processor.example", status: last ? (declined ? 402 : 200) : 504, server: false)
                        + [Attribute("http.request.resend_count", .int(Int64(attempt)))],
                       error: !last ? "gateway timeout" : declined ? "payment required: card declined" : nil)
                at += each + 300_000
            }
        }
        t += payBudget + ms(1, 3)
        guard !declined else { return }
        // Async: the order event is consumed after the request returned.
        let publish = span("orders publish", "api-gateway", parent: root, kind: .producer, start: t, duration: ms(0.5, 2), attributes: [
            Attribute("messaging.system", .string("kafka")), Attribute("messaging.destination.name", .string("orders")),
            Attribute("messaging.operation.type", .string("send")),
        ])
        let lostContext = rng.below(100) < 8
        // A lost context hand-off: the consumer names a parent that was never exported.
        let parent = lostContext ? SpanID(rng.next() | 1) : publish
        let consumeAt = t0 + total + ms(5, 40)
        let consumeDuration = ms(25, 45)
        let consume = span("orders process", "notification", parent: parent, kind: .consumer, start: consumeAt, duration: consumeDuration, attributes: [
            Attribute("messaging.system", .string("kafka")), Attribute("messaging.destination.name", .string("orders")),
            Attribute("messaging.operation.type", .string("process")),
        ])
        span("send email", "notification", parent: consume, kind: .client, start: consumeAt + 2_000_000,
             duration: consumeDuration * 3 / 5, attributes: [
            Attribute("server.address", .string("smtp.example.com")), Attribute("email.template", .string("order-confirmation")),
        ])
    }

    mutating func login(_ t0: Int64) {
        let total = ms(30, 90)
        let bad = rng.below(100) < 10
        let root = span("POST /api/login", "api-gateway", parent: .zero, kind: .server, start: t0, duration: total,
                        attributes: Self.http("POST", "/api/login", status: bad ? 401 : 200, server: true))
        call("auth", from: root, at: t0 + 500_000, to: "auth", route: "/login", method: "POST", budget: total * 8 / 10,
             status: bad ? 401 : 200) { b, s, t, d in
            b.span("SELECT credentials", "auth", parent: s, kind: .client, start: t + 300_000, duration: d / 5,
                   attributes: Self.db("SELECT", "credentials", "SELECT hash FROM credentials WHERE user_id = $1"))
            b.span("bcrypt.verify", "auth", parent: s, kind: .internal, start: t + d / 4, duration: d * 6 / 10,
                   attributes: [Attribute("auth.cost", .int(12)), Attribute("auth.success", .bool(!bad))])
        }
    }
}

/// SplitMix64: small, fast, and repeatable for a seed. The demo and the benchmark's
/// corpus both draw from it.
public struct DemoRandom: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// 0..<n; 0 when n is not positive.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
