import Foundation
import TraceModel
import TraceSources

/// Figure 5: a line appended to a followed file → its span handed to the explorer.
struct LiveBench {
    let plan: Plan

    func run(_ report: inout Report) throws {
        printErr("live latency")
        let path = plan.dir + "/live-latency.jsonl"
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot write \(path)") }
        defer { close(fd); unlink(path) }
        let inbox = SourceInbox()
        let tailer = FileTailer(path: path, follow: true, inbox: inbox)
        tailer.start()
        defer { tailer.stop() }
        // Wait until the tailer is following.
        let deadline = Clock.now() + 5
        var following = false
        while !following && Clock.now() < deadline {
            for case .health(.following) in inbox.drain() { following = true }
            usleep(1000)
        }
        guard following else { throw BenchError("the tailer never started following") }

        var rng = DemoRandom(seed: 5)
        var latencies: [Double] = []
        var appendCosts: [Double] = []
        let samples = plan.quick ? 5 : 40
        for i in 0..<samples {
            usleep(UInt32(5_000 + rng.below(45_000)))  // land anywhere in the poll cycle
            let id = SpanID(UInt64(i + 1) << 8 | 0x5)
            let span = Span(traceID: TraceID(high: 1, low: UInt64(i + 1)), spanID: id, name: "live \(i)", startTime: 1_795_000_000_000_000_000,
                            endTime: 1_795_000_000_100_000_000, resource: Resource(serviceName: "live"))
            let line = OTLPJSONEncoder.line([span])
            let t0 = Clock.now()
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            appendCosts.append(Clock.now() - t0)
            var seen = false
            while !seen && Clock.now() - t0 < 5 {
                for case .spans(let spans) in inbox.drain() where spans.contains(where: { $0.spanID == id }) { seen = true }
                if !seen { usleep(100) }
            }
            guard seen else { throw BenchError("appended span \(i) never arrived") }
            latencies.append(Clock.now() - t0)
        }
        let median = Stats.median(latencies)
        report.add(.init(section: "live", figure: "append → span in the inbox (median of \(samples))", value: Units.seconds(median),
                         reference: "the write(2) itself", referenceValue: Units.seconds(Stats.median(appendCosts)),
                         ratio: Stats.median(appendCosts) / median, goal: "≤ 100 ms"))
        report.add(.init(section: "live", figure: "append → span in the inbox (p95)", value: Units.seconds(Stats.percentile(latencies, 95)),
                         reference: "poll interval", referenceValue: "20.0 ms", ratio: 0.020 / Stats.percentile(latencies, 95), goal: "-"))
    }
}
