import ExplorerUI
import Foundation
import TerminalBackend
import TraceModel
import TraceSources

/// The main loop: drain source batches into the state, read one key with a short
/// timeout, update, and draw only when something changed. Nothing here blocks on I/O.
struct ExplorerSession {
    var state: AppState
    let inbox: SourceInbox
    let theme: Theme
    let stopSources: () -> Void
    /// Set when the source is a Jaeger backend.
    var poller: JaegerPoller?
    let rebuilder = WaterfallRebuilder()
    let screen = NcursesScreen()
    /// At most this many spans go into the store between two key reads.
    static let spansPerSlice = 50_000

    static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func localUTCOffset() -> Int {
        var now = time(nil)
        var tm = tm()
        localtime_r(&now, &tm)
        return Int(tm.tm_gmtoff)
    }

    /// Runs until quit or a termination signal; returns the signal number, or 0.
    mutating func run() -> Int32 {
        let color = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
        screen.start(theme: theme, colorAllowed: color, inputTimeoutMillis: 30)
        defer {
            screen.stop()
            stopSources()
        }
        let size = screen.size
        state.update(.resize(width: size.width, height: size.height))
        state.utcOffsetSeconds = Self.localUTCOffset()
        // Spans not applied yet: a big file arrives faster than the store takes it, and
        // keys must still be read between slices so the UI never freezes while loading.
        var backlog: [[Span]] = []
        var backlogHead = 0
        var polling = false
        // Set by a slow tick (the lists' first look over a big file's many traces): what
        // it and the load freed is given back once the backlog is applied.
        var releaseFreedMemory = false
        while TerminalRestore.pendingSignal == 0 {
            for event in inbox.drain() {
                switch event {
                case .spans(let s): backlog.append(s)
                case .health(let h): state.update(.health(h))
                case .decodeIssue(let i): state.update(.decodeIssue(i))
                case .notice(let text): state.update(.sourceNotice(text))
                case .services(let names): state.update(.remoteServices(names))
                case .summaries(let rows): state.update(.remoteSummaries(rows))
                }
            }
            // Each batch is handed over whole (moved into the store, not copied).
            var applied = 0
            while backlogHead < backlog.count && applied < Self.spansPerSlice {
                applied += backlog[backlogHead].count
                state.receive(taking: &backlog[backlogHead])
                backlogHead += 1
            }
            if backlogHead == backlog.count {
                backlog.removeAll(keepingCapacity: true)
                backlogHead = 0
            }
            if let (done, took) = rebuilder.take() { state.update(.waterfallRebuilt(done, tookMillis: took)) }
            let behind = !backlog.isEmpty
            // Findings still to check go on in short steps at every turn, keys between.
            let busy = behind || state.findingsBehind > 0
            if busy != polling {
                polling = busy
                screen.setInputTimeout(milliseconds: busy ? 0 : 30)
            }
            let tickStart = Self.monotonicMillis()
            if perform(state.update(.tick(milliseconds: tickStart))) { return 0 }
            // Lists are recomputed from the whole store; when that gets slow (a big file
            // loading), recompute less often so keys keep most of the time.
            let took = Self.monotonicMillis() - tickStart
            if took > 20 { state.refreshIntervalMillis = max(200, min(5_000, took * 4)) }
            if took > 100 { releaseFreedMemory = true }
            if releaseFreedMemory && !behind {
                releaseFreedMemory = false
                FreedMemory.release()
            }
            if state.needsRender {
                state.needsRender = false
                screen.draw(render(state))
            }
            guard let input = screen.readKey() else { continue }
            switch input {
            case .resize:
                let size = screen.size
                screen.invalidate()
                state.update(.resize(width: size.width, height: size.height))
            case .key(let key):
                if perform(state.update(.key(key))) { return 0 }
            }
        }
        return TerminalRestore.pendingSignal
    }

    /// Carries out what an update asked for; true when it asked to quit.
    private func perform(_ effects: [Effect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit: return true
            case .copy(let text): screen.copyToClipboard(text)
            case .search(let s):
                poller?.setSearch(LiveSearch(service: s.service, operation: s.operation, attributes: s.tags, lookback: s.lookback,
                                             window: s.window, minDuration: s.minDuration, maxDuration: s.maxDuration, limit: s.limit))
            case .setPaused(let paused): poller?.setPaused(paused)
            case .fetchTrace(let id): poller?.fetchTrace(id)
            case .rebuildWaterfall(let job): rebuilder.start(job)
            }
        }
        return false
    }
}

