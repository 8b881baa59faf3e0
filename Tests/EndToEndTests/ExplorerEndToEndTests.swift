import Foundation
import ReliabilityLedger
import Testing

/// The real binary under tmux, on a file written by the real OpenTelemetry Python SDK.
@Suite(.serialized) struct ExplorerEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    func sdkFile() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanscope-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("\(UUID().uuidString).jsonl").path
        let script = Self.root.appendingPathComponent("Fixtures/tools/produce_sdk_trace.py").path
        try Tmux.shell("python3 \(Tmux.quote(script)) \(Tmux.quote(path)) > /dev/null")
        return path
    }

    func appendLine(_ line: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try handle.close()
    }

    @Test func browseLiveAppendResizeAndQuit() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let file = try sdkFile()
        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --file \(Tmux.quote(file))")

        // Services → traces of api-gateway → the checkout trace's waterfall → detail.
        t.waitFor(text: "payments")
        #expect(t.display("#{alternate_on}") == "1")
        try t.keys("Enter")
        t.waitFor(text: "GET /api/orders/{id}")
        try t.keys("g")
        let list = t.screen()
        let checkoutFirst = list.range(of: "GET /api/orders/{id}")!.lowerBound < list.range(of: "POST /api/cart")!.lowerBound
        if !checkoutFirst { try t.keys("j") }
        try t.keys("Enter")
        t.waitFor(text: "payments.authorize")
        var screen = t.screen()
        #expect(screen.contains("├─ SELECT orders") || screen.contains("├─ ▾ SELECT orders") || screen.contains("├─ SELECT"))
        #expect(screen.contains("✗"))
        try t.keys("G", "Tab")
        t.waitFor(text: "processor timeout")
        // The exception event is further down the detail: scroll to the end.
        try t.keys("G")
        screen = t.waitFor(text: "TimeoutError")
        #expect(screen.contains("exception"))

        // Live: a span appended to the file shows up while browsing.
        try t.keys("Escape", "Escape", "Escape")
        t.waitFor(text: "SERVICE")
        let line = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late-service"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"late arrival","kind":2,"startTimeUnixNano":"1795559836427600220","endTimeUnixNano":"1795559836527600220"}]}]}]}"#
        try appendLine(line, to: file)
        t.waitFor(text: "late-service")

        // Resize: re-laid out at once; below the minimum a clear message, no crash.
        try t.resize(70, 20)
        t.waitFor("the 70-column layout") { s in s.contains("late-service") && s.split(separator: "\n").allSatisfy { $0.count <= 70 } }
        try t.resize(50, 10)
        t.waitFor(text: "spanscope needs 60×15")
        try t.resize(120, 40)
        t.waitFor(text: "late-service")

        // Quit: the terminal is restored (alternate screen left, exit code 0).
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
        #expect(t.display("#{alternate_on}") == "0")
        #expect(!t.screen().contains("spanscope ›"))
    }

    /// A trace over the size that is rebuilt off the main thread (20k spans), open while
    /// spans of it are appended: the new span shows in the waterfall, in start order.
    @Test func aBigOpenTraceTakesAppendedSpans() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let t0: Int64 = 1_795_559_836_000_000_000
        func span(_ id: Int, parent: Int?, name: String, start: Int64, end: Int64) -> String {
            let p = parent.map { #","parentSpanId":"\#(String(format: "%016x", $0))""# } ?? ""
            return #"{"traceId":"\#(traceID)","spanId":"\#(String(format: "%016x", id))"\#(p),"name":"\#(name)","kind":1,"startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)"}"#
        }
        func line(_ spans: [String], service: String) -> String {
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeSpans":[{"spans":["#
                + spans.joined(separator: ",") + "]}]}]}"
        }
        var spans = [span(1, parent: nil, name: "import catalog", start: t0, end: t0 + 10_000_000_000)]
        for i in 0..<25_000 {
            let start = t0 + 1_000_000 + Int64(i) * 100_000
            spans.append(span(2 + i, parent: 1, name: "row \(i)", start: start, end: start + 50_000))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let body = stride(from: 0, to: spans.count, by: 500).map { line(Array(spans[$0..<min($0 + 500, spans.count)]), service: "importer") }
        try (body.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --file \(Tmux.quote(path)) --trace \(traceID)")
        t.waitFor(text: "row 3")
        try appendLine(line([span(0xfffff, parent: 1, name: "late arrival", start: t0 + 500_000, end: t0 + 900_500_000)],
                            service: "late-service"), to: path)
        let screen = t.waitFor(text: "late arrival")
        let lines = screen.split(separator: "\n").map(String.init)
        let late = try #require(lines.firstIndex { $0.contains("late arrival") })
        let row0 = try #require(lines.firstIndex { $0.contains("row 0 ") })
        #expect(late < row0, "the new span sorts in by its start:\n\(screen)")
        #expect(lines[late].contains("late-service"))
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
    }

    @Test(arguments: [("TERM", 143), ("HUP", 129), ("INT", 130), ("SEGV", 139), ("ABRT", 134)])
    func signalsRestoreTheTerminal(_ signal: String, _ code: Int) throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --demo")
        t.waitFor(text: "api-gateway")
        try Tmux.shell("pkill -\(signal) -f '^\(Tmux.binary) --demo' || true")
        t.waitFor(text: "SPANSCOPE-EXIT=\(code)")
        let restored = t.display("#{alternate_on}") == "0"
        #expect(restored)
        // Nothing left behind (an SSH drop must not leave an orphan polling away).
        let left = (try? Tmux.shell("pgrep -f '^\(Tmux.binary) --demo'")) ?? ""
        #expect(left.isEmpty, "still running: \(left)")
        let row = ReliabilityRow(area: "Signals", kind: "SIG\(signal)" + (["SEGV", "ABRT"].contains(signal) ? " (the crash path)" : ""), cases: 1,
                                 outcome: restored && left.isEmpty ? "terminal restored, exit code \(code), no process left" : "NOT handled",
                                 test: "ExplorerEndToEndTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    @Test func monochromeAndNoColorStillShowTheCursor() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let t = Tmux()
        try t.start("NO_COLOR=1 \(Tmux.quote(Tmux.binary)) --demo --theme mono")
        t.waitFor(text: "api-gateway")
        let styled = (try? t.tmux("capture-pane -e -p -t \(t.session)")) ?? ""
        // Reverse video marks the cursor row when there are no colours.
        #expect(styled.contains("\u{1B}[7m") || styled.contains(";7m"))
        #expect(!styled.contains("38;5;"))
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
    }

    @Test func badThemeAndMissingFileFailWithOneClearLine() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid()).theme").path
        try "text = default\ncursor = reverse\nbogus = red\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let out = (try? Tmux.shell("\(Tmux.quote(Tmux.binary)) --demo --theme \(bad) 2>&1; echo rc=$?")) ?? ""
        #expect(out.contains("bad theme: \(bad):3: unknown role 'bogus'"))
        #expect(out.contains("rc=1"))
        let missing = (try? Tmux.shell("\(Tmux.quote(Tmux.binary)) show --file /no/such.jsonl 2>&1; echo rc=$?")) ?? ""
        #expect(missing.contains("Error: cannot read /no/such.jsonl: No such file or directory"))
        #expect(missing.split(separator: "\n").count == 2)
        #expect(missing.contains("rc=1"))
    }
}

/// Insights in the real binary on the demo: the view, an example, the span it names.
@Suite struct InsightsEndToEndTests {
    @Test func insightsViewToTheSpan() throws {
        try #require(Tmux.available, "tmux and the built spanscope binary are needed (.ci/run installs tmux)")
        let t = Tmux()
        try t.start("\(Tmux.quote(Tmux.binary)) --demo")
        t.waitFor(text: "FINDINGS")
        t.waitFor(text: "notification")
        try t.keys("p", "i")
        t.waitFor(text: "span-name-generic")
        // Walk to the generic-name group and open its first example.
        let screen = t.screen()
        let lines = screen.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("● ") || $0.contains("○ ") })
        let target = try #require(lines.firstIndex { $0.contains("span-name-generic") })
        for _ in 0..<(target - first) { try t.keys("j") }
        try t.keys("Enter")
        t.waitFor(text: "Insights › span-name-generic · user")
        try t.keys("Enter")
        t.waitFor(text: "── Findings")
        let waterfall = t.waitFor(text: "Span name is too generic")
        #expect(waterfall.contains("▾ handler") || waterfall.contains("─ handler"), "\(waterfall)")
        #expect(waterfall.contains("●"), "the gutter marks spans with findings")
        try t.keys("q")
        t.waitFor(text: "SPANSCOPE-EXIT=0")
    }
}
