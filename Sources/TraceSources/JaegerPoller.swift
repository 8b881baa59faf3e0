import Foundation
import TraceModel

/// A search the poller keeps re-running: the window always ends now.
public struct LiveSearch: Sendable, Equatable {
    public var service: String
    public var operation: String?
    public var attributes: [String: String]
    public var lookback: Int64
    /// A fixed window instead of the sliding lookback (its upper bound may be open: now).
    public var window: ClosedRange<Int64>?
    public var minDuration: Int64?
    public var maxDuration: Int64?
    public var limit: Int

    public init(service: String, operation: String? = nil, attributes: [String: String] = [:], lookback: Int64,
                window: ClosedRange<Int64>? = nil, minDuration: Int64? = nil, maxDuration: Int64? = nil, limit: Int = 20) {
        self.window = window
        self.service = service
        self.operation = operation
        self.attributes = attributes
        self.lookback = lookback
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.limit = limit
    }

    func query(endingAt end: Int64) -> JaegerQuery {
        let range = window.map { $0.lowerBound...min($0.upperBound, end) } ?? (end - lookback)...end
        return JaegerQuery(service: service, operation: operation, attributes: attributes, start: range.lowerBound, end: range.upperBound,
                    minDuration: minDuration, maxDuration: maxDuration, limit: limit)
    }
}

/// Polls a Jaeger query service in the background: detects its API, lists its services,
/// re-runs the current search every interval with the window sliding forward, fetches
/// traces asked for by id. On failure it reports the error and retries with capped
/// exponential backoff and jitter; recovery is automatic. The UI never waits on it.
public final class JaegerPoller: Sendable {
    private let client: JaegerClient
    private let fixedAPI: JaegerAPI?
    private let inbox: SourceInbox
    private let intervalSeconds: Double

    private struct Control {
        var search: LiveSearch?
        var wanted: [TraceID] = []
        var paused = false
        var stopped = false
        /// Bumped when the search changes, to cut a wait short.
        var generation = 0
    }

    private let control = Locked(Control())

    public init(client: JaegerClient, api: JaegerAPI?, inbox: SourceInbox, intervalSeconds: Double = 5) {
        self.client = client
        fixedAPI = api
        self.inbox = inbox
        self.intervalSeconds = max(0.05, intervalSeconds)
    }

    public func setSearch(_ search: LiveSearch?) {
        control.withLock { $0.search = search; $0.generation += 1 }
    }

    public func fetchTrace(_ id: TraceID) {
        control.withLock { $0.wanted.append(id); $0.generation += 1 }
    }

    public func setPaused(_ paused: Bool) {
        control.withLock { $0.paused = paused }
    }

    public func stop() {
        control.withLock { $0.stopped = true }
    }

    public func start() {
        Task.detached { [self] in await run() }
    }

    private static func nowNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    private func run() async {
        var api = fixedAPI
        var backoff = 1.0
        var lastServices = Date.distantPast
        // Whether the server has /api/v3/trace-summaries; nil until first asked.
        var hasSummaries: Bool?
        while !control.withLock({ $0.stopped }) {
            let (search, wanted, paused, generation) = control.withLock { c in
                defer { c.wanted.removeAll() }
                return (c.search, c.wanted, c.paused, c.generation)
            }
            do {
                let started = Date()
                let resolved: JaegerAPI
                if let api { resolved = api } else { resolved = try await client.detectAPI(); api = resolved }
                if Date().timeIntervalSince(lastServices) > 30 {
                    inbox.post(.services(try await client.services(api: resolved)))
                    lastServices = Date()
                }
                for id in wanted {
                    do {
                        inbox.post(.spans(try await client.trace(id, api: resolved)))
                    } catch JaegerError.notFound(let message) {
                        inbox.post(.health(.waiting(message)))
                    }
                }
                if let search, !paused {
                    let query = search.query(endingAt: Self.nowNanos())
                    var rows: [TraceSummary]?
                    if resolved == .v3 && hasSummaries != false {
                        rows = try await client.searchSummaries(query)
                        hasSummaries = rows != nil
                    }
                    if let rows {
                        inbox.post(.summaries(rows))
                    } else {
                        let spans = try await client.search(query, api: resolved)
                        if !spans.isEmpty { inbox.post(.spans(spans)) }
                    }
                }
                let ms = Int(Date().timeIntervalSince(started) * 1000)
                var clock = time(nil)
                var tm = tm()
                localtime_r(&clock, &tm)
                let at = String(format: "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec)
                let what = search == nil ? "services" : paused ? "paused" : "polled"
                inbox.post(.health(.polling("Jaeger \(resolved.rawValue) · \(what) \(at) (\(ms) ms)")))
                backoff = 1
                await wait(seconds: intervalSeconds, unlessChangedFrom: generation)
            } catch {
                let message = (error as? JaegerError)?.description ?? "\(error)"
                if case JaegerError.noAPI = error, fixedAPI == nil { api = nil }
                // Jitter keeps many clients from retrying in step.
                let delay = min(30, backoff) * Double.random(in: 0.8...1.2)
                inbox.post(.health(.failed(message: message, retryInSeconds: delay)))
                backoff = min(30, backoff * 2)
                await wait(seconds: delay, unlessChangedFrom: generation)
            }
        }
    }

    private func wait(seconds: Double, unlessChangedFrom generation: Int) async {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (changed, stopped) = control.withLock { ($0.generation != generation, $0.stopped) }
            if changed || stopped { return }
            try? await Task.sleep(nanoseconds: 25_000_000)
        }
    }
}
