import Foundation
import Testing
import TraceModel
@testable import TraceSources

@Suite(.serialized) struct JaegerClientTests {
    struct StoredQuery {
        var caption: String
        var query: JaegerQuery
        var expected: Set<TraceID>
    }

    /// Jaeger's own storage-integration queries with the traces each must return.
    static func storedQueries() throws -> [StoredQuery] {
        let data = FileManager.default.contents(atPath: Fixture.path("jaeger-storage-integration/queries.json"))!
        let list = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        return try list.map { entry in
            let q = entry["Query"] as! [String: Any]
            var attributes: [String: String] = [:]
            for (k, v) in q["Tags"] as? [String: Any] ?? [:] {
                if let n = v as? NSNumber, String(cString: n.objCType) == "c" { attributes[k] = n.boolValue ? "true" : "false" }
                else if let b = v as? Bool { attributes[k] = b ? "true" : "false" }
                else { attributes[k] = "\(v)" }
            }
            let minD = (q["DurationMin"] as? NSNumber)?.int64Value ?? 0
            let maxD = (q["DurationMax"] as? NSNumber)?.int64Value ?? 0
            var expected = Set<TraceID>()
            for name in entry["ExpectedFixtures"] as? [String] ?? [] {
                let spans = try FileLoader.load(path: Fixture.path("jaeger-storage-integration/\(name).json")).spans
                expected.formUnion(spans.map(\.traceID))
            }
            return StoredQuery(
                caption: entry["Caption"] as! String,
                query: JaegerQuery(service: q["ServiceName"] as! String, operation: q["OperationName"] as? String,
                                   attributes: attributes, start: RFC3339.parse(q["StartTimeMin"] as! String)!,
                                   end: RFC3339.parse(q["StartTimeMax"] as! String)!,
                                   minDuration: minD > 0 ? minD : nil, maxDuration: maxD > 0 ? maxD : nil,
                                   limit: (q["NumTraces"] as? Int) ?? 20),
                expected: expected)
        }
    }

    @Test(arguments: JaegerAPI.allCases)
    func everyStoredQueryReturnsExactlyItsExpectedTraces(_ api: JaegerAPI) async throws {
        let server = try JaegerFixtureServer()
        let client = JaegerClient(baseURL: server.url)
        let queries = try Self.storedQueries()
        #expect(queries.count == 25)
        for q in queries {
            let spans = try await client.search(q.query, api: api)
            #expect(Set(spans.map(\.traceID)) == q.expected, "\(api): \(q.caption)")
        }
    }

    @Test func detectsWhichAPIAServerSpeaks() async throws {
        for (mode, api) in [("v3", JaegerAPI.v3), ("legacy", .legacy), ("both", .v3)] {
            let server = try JaegerFixtureServer(["--api", mode])
            #expect(try await JaegerClient(baseURL: server.url).detectAPI() == api)
        }
    }

    @Test func servicesOperationsAndTracesOnBothAPIsAgree() async throws {
        let server = try JaegerFixtureServer()
        let client = JaegerClient(baseURL: server.url)
        let v3Services = try await client.services(api: .v3)
        #expect(v3Services.contains("query22-service"))
        #expect(try await client.services(api: .legacy) == v3Services)
        #expect(try await client.operations(service: "query06-service", api: .v3) == ["query06-operation"])
        #expect(try await client.operations(service: "query06-service", api: .legacy) == ["query06-operation"])
        let id = TraceID("11")!
        let a = try await client.trace(id, api: .v3), b = try await client.trace(id, api: .legacy)
        #expect(a.count == 5 && b.count == 5)
        let byID = Dictionary(uniqueKeysWithValues: b.map { ($0.spanID, $0) })
        for s in a {
            let t = try #require(byID[s.spanID])
            #expect(s.name == t.name && s.serviceName == t.serviceName && s.parentSpanID == t.parentSpanID)
            #expect(s.startTime == t.startTime && s.endTime == t.endTime && s.events.count == t.events.count)
        }
        await #expect(throws: JaegerError.notFound("trace 000000000000000000000000000000ff not found")) {
            try await client.trace(TraceID("ff")!, api: .v3)
        }
    }

    /// The same trace served as v3 (from its OTLP form) and as legacy (Jaeger's own
    /// recorded response) decodes to the same spans.
    @Test func v3AndRecordedLegacyResponsesDecodeTheSame() async throws {
        for (otlp, jaeger) in [("jaeger-query-api/otlp2jaeger-in.json", "jaeger-query-api/otlp2jaeger-out.json"),
                               ("jaeger-ui/utils_fixtures_otlp2jaeger-multi-in-combined.json", "jaeger-ui/utils_fixtures_oltp2jaeger-multi-out.json")] {
            let server = try JaegerFixtureServer(traces: [otlp, jaeger])
            let client = JaegerClient(baseURL: server.url)
            let ids = Set(try FileLoader.load(path: Fixture.path(otlp)).spans.map(\.traceID))
            #expect(!ids.isEmpty)
            for id in ids {
                let v3 = try await client.trace(id, api: .v3)
                let legacy = try await client.trace(id, api: .legacy)
                try JaegerDecoderTests().expectSameTraces(v3, legacy)
            }
        }
    }

    @Test func traceSummariesWhenTheServerHasThem() async throws {
        let q = JaegerQuery(service: "query22-service", start: RFC3339.parse("2017-01-26T15:46:31Z")!,
                            end: RFC3339.parse("2017-01-26T17:46:31Z")!, limit: 10)
        let with = try JaegerFixtureServer(["--summaries"])
        let client = JaegerClient(baseURL: with.url)
        let rows = try #require(try await client.searchSummaries(q))
        #expect(Set(rows.map(\.traceID)) == Set(["221", "222", "223"].map { TraceID($0)! }))
        let row = try #require(rows.first)
        #expect(row.rootService == "query22-service" && row.rootName == "query22-operation")
        #expect(row.spanCount == 1 && row.errorCount == 0 && row.duration == 100_000)
        var none = q
        none.service = "nobody"
        #expect(try await client.searchSummaries(none) == [], "no match is an empty list")
        let without = try JaegerFixtureServer()
        #expect(try await JaegerClient(baseURL: without.url).searchSummaries(q) == nil, "no endpoint: fall back to /api/v3/traces")
    }

    @Test func noMatchIsAnEmptyResultNotAFailure() async throws {
        let server = try JaegerFixtureServer()
        let client = JaegerClient(baseURL: server.url)
        let q = JaegerQuery(service: "nobody", start: 0, end: 1_000_000_000)
        #expect(try await client.search(q, api: .v3).isEmpty)
        #expect(try await client.search(q, api: .legacy).isEmpty)
    }

    @Test func basePathAndBearerToken() async throws {
        let server = try JaegerFixtureServer(["--base-path", "/jaeger", "--token", "s3cret"])
        let base = server.url.appendingPathComponent("jaeger")
        await #expect(throws: JaegerError.http(status: 401, message: "unauthorized")) {
            try await JaegerClient(baseURL: base).detectAPI()
        }
        let client = JaegerClient(baseURL: base, authorization: "Bearer s3cret")
        #expect(try await client.detectAPI() == .v3)
        #expect(try await client.services(api: .v3).contains("query01-service"))
    }

    @Test func faultsBecomeClearErrorsAndRecoveryIsAutomatic() async throws {
        let server = try JaegerFixtureServer()
        let client = JaegerClient(baseURL: server.url, timeoutSeconds: 1)
        try await server.fault("500")
        await #expect(throws: JaegerError.http(status: 500, message: "injected failure")) { try await client.services(api: .v3) }
        try await server.fault("malformed")
        await #expect { try await client.trace(TraceID("11")!, api: .v3) } throws: { ($0 as? JaegerError).map { if case .badResponse = $0 { true } else { false } } ?? false }
        try await server.fault("truncated")
        await #expect(throws: JaegerError.self) { try await client.trace(TraceID("11")!, api: .legacy) }
        try await server.fault("slow", seconds: 3)
        await #expect(throws: JaegerError.transport("timed out")) { try await client.services(api: .v3) }
        try await server.fault("none")
        #expect(try await client.trace(TraceID("11")!, api: .v3).count == 5)
    }

    @Test func refusedConnectionIsReported() async throws {
        // Nothing listens on port 1 of the loopback address.
        let nobody = JaegerClient(baseURL: URL(string: "http://127.0.0.1:1")!, timeoutSeconds: 2)
        await #expect(throws: JaegerError.transport("connection refused")) { try await nobody.detectAPI() }
        // A server that accepts and hangs up, then comes back.
        let server = try JaegerFixtureServer()
        let client = JaegerClient(baseURL: server.url, timeoutSeconds: 2)
        try await server.fault("refuse")
        await #expect(throws: JaegerError.self) { try await client.services(api: .v3) }
        try await server.fault("none")
        #expect(try await client.services(api: .v3).contains("query01-service"))
    }

    @Test func rfc3339RoundTrips() {
        #expect(RFC3339.parse("2017-01-26T15:46:31.639875Z") == 1_485_445_591_639_875_000)
        #expect(RFC3339.format(1_485_445_591_639_875_000) == "2017-01-26T15:46:31.639875000Z")
        #expect(RFC3339.parse("2017-01-26T10:46:31.639875-05:00") == 1_485_445_591_639_875_000)
        #expect(RFC3339.parse("2017-01-26 15:46:31Z") == 1_485_445_591_000_000_000)
        #expect(RFC3339.parse("2017-01-26 15:46:31") == 1_485_445_591_000_000_000)
        #expect(RFC3339.parse("2017-01-26X15:46:31Z") == nil)
        #expect(RFC3339.parse("2017-13-26T15:46:31Z") == nil)
        #expect(RFC3339.parse(RFC3339.format(0)) == 0)
    }
}
