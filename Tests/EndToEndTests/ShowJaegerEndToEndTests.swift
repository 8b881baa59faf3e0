import Foundation
import Testing

/// `spanscope show --jaeger` against the fixture server, on both APIs.
@Suite(.serialized) struct ShowJaegerEndToEndTests {
    static let tools = ExplorerEndToEndTests.root.appendingPathComponent("Fixtures/tools").path
    static let traces = ExplorerEndToEndTests.root.appendingPathComponent("Fixtures/jaeger-storage-integration").path

    /// Starts the server in the background; returns its port and a way to stop it.
    func startServer(_ args: String) throws -> (Int, () -> Void) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("jaeger-\(UUID().uuidString).log").path
        let pid = try Tmux.shell("python3 \(Self.tools)/jaeger_fixture_server.py \(Self.traces) \(args) > \(log) 2>&1 & echo $!")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), let line = text.split(separator: "\n").first,
               let port = Int(line.split(separator: " ").last ?? "") {
                return (port, { _ = try? Tmux.shell("kill \(pid)") })
            }
            usleep(50_000)
        }
        throw CocoaError(.fileReadUnknown)
    }

    @Test(arguments: ["v3", "legacy"]) func showsATraceAndASearch(_ api: String) throws {
        let (port, stop) = try startServer("--api \(api)")
        defer { stop() }
        let bin = Tmux.quote(Tmux.binary)
        let trace = try Tmux.shell("\(bin) show --jaeger http://127.0.0.1:\(port) 11")
        #expect(trace.contains("Trace 00000000000000000000000000000011  example-service-2: example-operation-2"))
        #expect(trace.contains("5 spans · 3 services"))
        let list = try Tmux.shell("\(bin) show --jaeger http://127.0.0.1:\(port) --service query22-service --lookback 5000d")
        #expect(list.contains("3 traces"))
        #expect(list.contains("00000000000000000000000000000221 query22-service"))
        let fromEnvironment = try Tmux.shell("SPANSCOPE_JAEGER_URL=http://127.0.0.1:\(port) \(bin) show 11")
        #expect(fromEnvironment.contains("example-operation-2"))
        let missing = (try? Tmux.shell("\(bin) show --jaeger http://127.0.0.1:\(port) ff 2>&1; echo rc=$?")) ?? ""
        #expect(missing.contains("trace 000000000000000000000000000000ff not found") && missing.contains("rc=1"))
    }

    @Test func tokenComesFromTheEnvironmentAndIsNeverPrinted() throws {
        let (port, stop) = try startServer("--token hunter2")
        defer { stop() }
        let bin = Tmux.quote(Tmux.binary)
        let denied = (try? Tmux.shell("\(bin) show --jaeger http://127.0.0.1:\(port) 11 2>&1; echo rc=$?")) ?? ""
        #expect(denied.contains("HTTP 401: unauthorized") && denied.contains("rc=1"))
        let ok = try Tmux.shell("SPANSCOPE_JAEGER_TOKEN=hunter2 \(bin) show --jaeger http://127.0.0.1:\(port) 11 --verbose 2>&1")
        #expect(ok.contains("example-operation-2"))
        #expect(!ok.contains("hunter2"))
    }
}

/// The explorer on a Jaeger backend: search, open a trace, survive a failing server.
@Suite(.serialized) struct ExplorerJaegerEndToEndTests {
    @Test func searchOpenAndSurviveFaults() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let (port, stop) = try ShowJaegerEndToEndTests().startServer("")
        defer { stop() }
        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --jaeger http://127.0.0.1:\(port) --poll 300ms")
        t.waitFor(text: "query22-service")
        t.waitFor(text: "Jaeger v3")
        // The search form: service from the cursor row, a lookback reaching 2017.
        try t.keys("/")
        try t.literal("query22")
        try t.keys("Enter", "f", "Down", "Down", "C-u")
        try t.literal("5000d")
        t.waitFor(text: "Search Jaeger")
        try t.keys("Enter")
        t.waitFor("three traces") { $0.contains("1–3 of 3") }
        try t.keys("Enter")
        t.waitFor(text: "query22-operation")
        t.waitFor(text: "Span detail")
        // A failing server: the error and retry show, the UI keeps working, recovery is automatic.
        try Tmux.shell("curl -s -X POST 'http://127.0.0.1:\(port)/_fixture/fault?mode=500' >/dev/null")
        t.waitFor(text: "HTTP 500: injected failure")
        try t.keys("Escape")
        t.waitFor(text: "1–3 of 3")
        try Tmux.shell("curl -s -X POST 'http://127.0.0.1:\(port)/_fixture/fault?mode=none' >/dev/null")
        t.waitFor("recovery", seconds: 20) { $0.contains("Jaeger v3 · polled") }
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
    }

    @Test func traceFlagOpensOneTraceDirectly() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let (port, stop) = try ShowJaegerEndToEndTests().startServer("--api legacy")
        defer { stop() }
        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --jaeger http://127.0.0.1:\(port) --trace 11")
        let screen = t.waitFor(text: "example-operation-4")
        #expect(screen.contains("Trace 000000000000… example-operation-2"))
        t.waitFor(text: "Jaeger legacy")
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
    }
}
