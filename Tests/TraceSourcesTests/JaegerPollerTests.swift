import Foundation
import Testing
import TraceModel
@testable import TraceSources

@Suite(.serialized) struct JaegerPollerTests {
    @Test func listsServicesSearchesAndRecoversFromFaults() async throws {
        let server = try JaegerFixtureServer()
        let c = Collector()
        let poller = JaegerPoller(client: JaegerClient(baseURL: server.url, timeoutSeconds: 2), api: nil, inbox: c.inbox,
                                  intervalSeconds: 0.1)
        poller.start()
        defer { poller.stop() }
        #expect(await c.waitAsync { c.services.contains("query22-service") })
        // A lookback long enough to reach the fixtures' 2017 timestamps.
        poller.setSearch(LiveSearch(service: "query22-service", lookback: 5000 * 86_400_000_000_000))
        #expect(await c.waitAsync { Set(c.spans.map(\.traceID)).count == 3 })
        #expect(c.health.contains { if case .polling(let d) = $0 { d.hasPrefix("Jaeger v3 · polled") } else { false } })

        try await server.fault("500")
        #expect(await c.waitAsync { c.health.contains { if case .failed(let m, retryInSeconds: .some) = $0 { m == "HTTP 500: injected failure" } else { false } } })
        try await server.fault("none")
        let before = c.health.count
        #expect(await c.waitAsync { c.health.dropFirst(before).contains { if case .polling = $0 { true } else { false } } })

        poller.fetchTrace(TraceID("11")!)
        #expect(await c.waitAsync { c.spans.contains { $0.traceID == TraceID("11")! } })
    }

    @Test func pausedPollerDoesNotSearch() async throws {
        let server = try JaegerFixtureServer(["--api", "legacy"])
        let c = Collector()
        let poller = JaegerPoller(client: JaegerClient(baseURL: server.url), api: .legacy, inbox: c.inbox, intervalSeconds: 0.1)
        poller.setPaused(true)
        poller.setSearch(LiveSearch(service: "query22-service", lookback: 5000 * 86_400_000_000_000))
        poller.start()
        defer { poller.stop() }
        #expect(await c.waitAsync { c.health.contains { if case .polling(let d) = $0 { d.contains("paused") } else { false } } })
        #expect(c.spans.isEmpty)
        poller.setPaused(false)
        #expect(await c.waitAsync { !c.spans.isEmpty })
    }

    @Test func fixedWindowSearchesThatWindowOnly() async throws {
        let server = try JaegerFixtureServer()
        let c = Collector()
        let poller = JaegerPoller(client: JaegerClient(baseURL: server.url), api: .v3, inbox: c.inbox, intervalSeconds: 0.1)
        let start = RFC3339.parse("2017-01-26T00:00:00Z")!, end = RFC3339.parse("2017-01-26T00:10:00Z")!
        poller.setSearch(LiveSearch(service: "query05-service", lookback: 1, window: start...end))
        poller.start()
        defer { poller.stop() }
        #expect(await c.waitAsync { !c.spans.isEmpty })
        #expect(Set(c.spans.map(\.traceID)).count == 1)
        #expect(c.spans.allSatisfy { $0.serviceName == "query05-service" })
    }

    @Test func usesSummariesWhenTheServerHasThem() async throws {
        let server = try JaegerFixtureServer(["--summaries"])
        let c = Collector()
        let poller = JaegerPoller(client: JaegerClient(baseURL: server.url), api: nil, inbox: c.inbox, intervalSeconds: 0.1)
        poller.setSearch(LiveSearch(service: "query22-service", lookback: 5000 * 86_400_000_000_000))
        poller.start()
        defer { poller.stop() }
        #expect(await c.waitAsync { c.summaries.count == 3 })
        #expect(c.spans.isEmpty, "rows only; spans are fetched when a trace is opened")
        poller.fetchTrace(c.summaries[0].traceID)
        #expect(await c.waitAsync { c.spans.count == 1 })
    }
}
