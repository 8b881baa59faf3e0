import Foundation

/// Loading never freezes the UI: how long a key waits for its answer on the real binary
/// under tmux while it loads a big file. `?` opens the help and another key closes it;
/// a wait runs from `send-keys` until `capture-pane` shows the change. The reference is
/// the same probe once a small file is loaded and nothing happens: tmux's and the
/// polling's own share of every figure.
struct KeyLatencyBench {
    let plan: Plan
    let corpus: Corpus

    private static let helpMark = "any other key closes"

    func run(_ report: inout Report) throws {
        printErr("key latency")
        let binary = SelfProcess.explorerPath
        guard Shell.has("tmux"), FileManager.default.isExecutableFile(atPath: binary) else {
            report.add(.init(section: "keys while loading", figure: "key → answer on screen", value: "skipped",
                             reference: "tmux and spanscope binary", referenceValue: "not found", ratio: nil, goal: "-"))
            return
        }
        let tmux = "tmux -L spanscope-keys-\(getpid()) -f /dev/null"
        defer { Shell.run("\(tmux) kill-server") }
        let seconds = plan.quick ? 1.0 : 12.0
        let idle = probe(tmux, binary, file: corpus.mixed[0].path, keys: [], settle: plan.quick ? 1 : 3, seconds: plan.quick ? 1 : 4)
        let idleMedian = Stats.median(idle.map(\.wait))
        let mixed = try plan.mixed(spans: plan.hugeTrace, seed: 5)
        let huge = Units.count(corpus.hugeTrace.spans)
        let cases: [(String, String, [String])] = [
            ("\(huge)-span trace loading, services", corpus.hugeTrace.path, []),
            ("  same, its waterfall opened at once", corpus.hugeTrace.path, ["t", "Enter"]),
            ("\(Units.count(mixed.spans)) spans of mixed traffic, Insights", mixed.path, ["i"]),
        ]
        for (figure, file, keys) in cases {
            let timed = probe(tmux, binary, file: file, keys: keys, settle: 0, seconds: seconds)
            let waits = timed.map(\.wait), sorted = waits.sorted()
            let worstAt = timed.max { $0.wait < $1.wait }!.at
            let p95 = sorted[min(sorted.count - 1, sorted.count * 95 / 100)]
            report.add(.init(section: "keys while loading", figure: figure,
                             value: "median \(Units.seconds(Stats.median(waits))) · p95 \(Units.seconds(p95)) · worst \(Units.seconds(sorted.last!)) at \(String(format: "%.1f", worstAt)) s (\(waits.count) keys in \(Int(seconds)) s)",
                             reference: "the same, idle (small file loaded)", referenceValue: Units.seconds(idleMedian),
                             ratio: idleMedian / sorted.last!, goal: "never frozen: ≤ 0.25 s worst"))
        }
    }

    /// Starts the explorer on `file`, presses `keys` (opening a view), waits `settle`
    /// seconds, then for `seconds` toggles the help and times each answer; `at` is when
    /// the key was sent, in seconds from the explorer's start.
    private func probe(_ tmux: String, _ binary: String, file: String, keys: [String], settle: Double,
                       seconds: Double) -> [(wait: Double, at: Double)] {
        Shell.run("\(tmux) kill-session -t keys")
        let launched = Clock.now()
        Shell.run("\(tmux) new-session -d -x 120 -y 40 -s keys \(Shell.quote("exec \(binary) --file \(Shell.quote(file))"))")
        usleep(300_000)
        for key in keys {
            Shell.run("\(tmux) send-keys -t keys \(key)")
            usleep(50_000)
        }
        usleep(UInt32(settle * 1e6))
        var waits: [(wait: Double, at: Double)] = []
        var helpShown = false
        let start = Clock.now()
        while Clock.now() - start < seconds {
            let sent = Clock.now()
            Shell.run("\(tmux) send-keys -t keys \(helpShown ? "x" : "'?'")")
            // A key unanswered for 10 s counts as 10 s: the figure shows it, the run goes on.
            while Clock.now() - sent < 10 {
                if Shell.run("\(tmux) capture-pane -p -t keys").output.contains(Self.helpMark) != helpShown { break }
                usleep(2_000)
            }
            waits.append((Clock.now() - sent, sent - launched))
            helpShown.toggle()
            usleep(100_000)
        }
        Shell.run("\(tmux) kill-session -t keys")
        return waits
    }
}
