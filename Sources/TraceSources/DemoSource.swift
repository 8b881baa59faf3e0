import Foundation
import Synchronization
import TraceModel

/// Streams `DemoTraffic` into an inbox: a backlog covering the last minutes at once,
/// then a few traces a second in real time (the consumer side of async work arrives
/// later, as it would).
public final class DemoSource: Sendable {
    private let inbox: SourceInbox
    private let seed: UInt64
    private let tracesPerSecond: Double
    private let stopped = Atomic<Bool>(false)

    public init(inbox: SourceInbox, seed: UInt64 = 42, tracesPerSecond: Double = 6) {
        self.inbox = inbox
        self.seed = seed
        self.tracesPerSecond = max(0.1, tracesPerSecond)
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "spanscope.demo"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    private static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    private func run() {
        var traffic = DemoTraffic(seed: seed)
        inbox.post(.health(.following))
        let now = Self.nowNanos()
        var backlog: [Span] = []
        for i in 0..<300 {
            backlog += traffic.trace(startingAt: now - 180_000_000_000 + Int64(i) * 600_000_000)
        }
        inbox.post(.spans(backlog))
        let interval = 1.0 / tracesPerSecond
        // Spans are released when their end time has passed, as a real exporter would.
        var pending: [Span] = []
        while !stopped.load(ordering: .relaxed) {
            usleep(UInt32(interval * 1_000_000))
            let t = Self.nowNanos()
            pending += traffic.trace(startingAt: t)
            let ready = pending.filter { $0.endTime <= t }
            pending.removeAll { $0.endTime <= t }
            if !ready.isEmpty { inbox.post(.spans(ready)) }
        }
    }
}
