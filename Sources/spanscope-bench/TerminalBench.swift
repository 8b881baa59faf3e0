import Foundation
import TraceModel
import TraceSources

/// Figure 6: bytes the real binary writes to its terminal, under tmux, idle and while a
/// followed file grows by 1,000 spans a second with the traces view open.
struct TerminalBench {
    let plan: Plan

    func run(_ report: inout Report) throws {
        printErr("terminal bytes")
        let binary = SelfProcess.explorerPath
        guard Shell.has("tmux"), FileManager.default.isExecutableFile(atPath: binary) else {
            report.add(.init(section: "terminal", figure: "bytes written", value: "skipped", reference: "tmux and spanscope binary",
                             referenceValue: "not found", ratio: nil, goal: "-"))
            return
        }
        let socket = "spanscope-bench-\(getpid())"
        let tmux = "tmux -L \(socket) -f /dev/null"
        let data = plan.dir + "/terminal.jsonl"
        let log = plan.dir + "/terminal.bytes"
        unlink(log)
        var rng = DemoRandom(seed: 11)
        var sink = try FileSink(path: data)
        sink.write(OTLPJSONEncoder.line(batch(100, &rng, at: 0)))
        sink.close()
        defer {
            Shell.run("\(tmux) kill-server")
            unlink(data)
            unlink(log)
        }
        // The pipe is attached before spanscope starts, so its first full frame is counted.
        Shell.run("\(tmux) new-session -d -x 120 -y 40 -s bench 'sleep 0.5; exec \(binary) --file \(Shell.quote(data))'")
        Shell.run("\(tmux) pipe-pane -o -t bench 'cat >> \(log)'")
        usleep(2_000_000)
        let firstFrame = fileSize(log)
        let idleSeconds = plan.quick ? 1.0 : 3.0
        usleep(UInt32(idleSeconds * 1e6))
        let idleBytes = fileSize(log) - firstFrame
        report.add(.init(section: "terminal 120×40", figure: "idle, bytes/s", value: String(format: "%.0f B/s", Double(idleBytes) / idleSeconds),
                         reference: "first full frame", referenceValue: Units.bytes(Double(firstFrame)), ratio: nil, goal: "0"))

        Shell.run("\(tmux) send-keys -t bench t")
        usleep(500_000)
        let before = fileSize(log)
        let liveSeconds = plan.quick ? 2.0 : 5.0
        let fd = open(data, O_WRONLY | O_APPEND)
        let start = Clock.now()
        var tick = 0
        while Clock.now() - start < liveSeconds {
            tick += 1
            let line = OTLPJSONEncoder.line(batch(100, &rng, at: tick))
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let next = start + Double(tick) * 0.1
            let wait = next - Clock.now()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
        }
        close(fd)
        usleep(300_000)
        let liveBytes = Double(fileSize(log) - before) / (Clock.now() - start)
        let screen = Shell.run("\(tmux) capture-pane -p -t bench").output
        guard screen.contains("TRACE") || screen.contains("trace") else { throw BenchError("the traces view was not showing:\n\(screen)") }
        report.add(.init(section: "terminal 120×40", figure: "live 1,000 spans/s, traces view, bytes/s", value: Units.bytes(liveBytes) + "/s",
                         reference: "a full frame 5×/s", referenceValue: Units.bytes(Double(firstFrame) * 5) + "/s",
                         ratio: Double(firstFrame) * 5 / liveBytes, goal: "≤ 10 KB/s"))
    }

    /// 100 spans: 20 traces of 5 spans.
    private func batch(_ count: Int, _ rng: inout DemoRandom, at tick: Int) -> [Span] {
        let services = ["api-gateway", "auth", "user", "payment", "inventory"].map { Resource(serviceName: $0) }
        var spans: [Span] = []
        let base: Int64 = 1_795_000_000_000_000_000 + Int64(tick) * 100_000_000
        for t in 0..<(count / 5) {
            let id = TraceID(high: rng.next(), low: rng.next())
            let root = SpanID(rng.next() | 1)
            let start = base + Int64(t) * 1_000_000
            spans.append(Span(traceID: id, spanID: root, name: "GET /api/items/{id}", kind: .server, startTime: start,
                              endTime: start + Int64(1_000_000 + rng.below(50_000_000)), resource: services[0]))
            for k in 1..<5 {
                spans.append(Span(traceID: id, spanID: SpanID(rng.next() | 1), parentSpanID: root, name: "call \(k)", kind: .client,
                                  startTime: start + Int64(k) * 1000, endTime: start + 900_000, resource: services[k]))
            }
        }
        return spans
    }
}
