import Testing
import TraceInsights
import TraceModel
@testable import ExplorerUI

/// A big open trace that changes is rebuilt off the main thread: the state hands out a
/// `rebuildWaterfall` effect, keeps showing what it has, and takes the result when it
/// comes back, with the cursor, folds and search the user has by then.
@Suite struct BackgroundRebuildTests {
    /// root → 30 children "step N" (distinct names: no runs); threshold 10 spans, so
    /// the trace counts as big.
    func liveState() -> AppState {
        var spans = [span("b", "1", name: "root", service: "api", start: 0, end: 1_000_000_000)]
        for c in 0..<30 {
            spans.append(span("b", String(0x100 + c, radix: 16), parent: "1", name: "step \(c)", service: "worker",
                              start: Int64(c + 1) * 1_000_000, end: Int64(c + 1) * 1_000_000 + 500_000))
        }
        var s = AppState(store: TraceStore(), sourceName: "t", width: 120, height: 40)
        s.backgroundRebuildSpans = 10
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("b")!)
        return s
    }

    func rebuilds(_ effects: [Effect]) -> [WaterfallRebuild] {
        effects.compactMap { if case .rebuildWaterfall(let job) = $0 { return job } else { return nil } }
    }

    func late(_ n: Int) -> [Span] {
        (0..<n).map { k in
            // Early starts: the new rows sort in above the cursor.
            span("b", String(0x900 + k, radix: 16), parent: "1", name: "late \(k)", service: "worker",
                 start: 100 + Int64(k), end: 200 + Int64(k))
        }
    }

    /// A big trace opened before its findings are all checked opens at once with what
    /// was found so far; the rebuild checks the rest off the main thread, and its state
    /// is kept, so the services view need not check the trace again.
    @Test func aBigTraceOpensBeforeItsCheckAndTheRebuildFinishesIt() {
        let id = TraceID("c")!
        var spans = [span("c", "1", name: "root", service: "api", start: 0, end: 1_000_000_000)]
        for c in 0..<400 {
            // Generic names and secrets all through, so the first spans alone miss some.
            spans.append(span("c", String(0x100 + c, radix: 16), parent: "1", name: c % 7 == 0 ? "handler" : "step \(c)",
                              service: "worker", start: Int64(c + 1) * 1_000, end: Int64(c + 1) * 1_000 + 500,
                              attributes: c % 11 == 0 ? [Attribute("password", .string("hunter2"))] : []))
        }
        var s = AppState(store: TraceStore(), sourceName: "t", width: 120, height: 40)
        s.backgroundRebuildSpans = 100
        s.findingsBudgetSpans = 50
        s.press(.char("t"))
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(id)
        let opened = s.waterfall!
        #expect(!opened.findingsComplete)
        let whole = WaterfallViewState(trace: s.store.trace(id)!, findings: Insights.check(s.store.trace(id)!)).findings
        #expect(opened.findings.values.reduce(0) { $0 + $1.count } < whole.values.reduce(0) { $0 + $1.count })
        // The trace did not change, yet the next refresh hands out a rebuild for the rest.
        let jobs = rebuilds(s.update(.tick(milliseconds: 2_000)))
        #expect(jobs.count == 1)
        s.update(.waterfallRebuilt(jobs[0].run(), tookMillis: 5))
        #expect(s.waterfall!.findingsComplete)
        #expect(s.waterfall!.findings == whole)
        #expect(rebuilds(s.update(.tick(milliseconds: 3_000))).isEmpty)
        // The services view finds the trace checked already.
        s.press(.escape, .escape)
        #expect(s.screen == .services)
        s.update(.tick(milliseconds: 4_000))
        #expect(s.findingsBehind == 0)
        #expect(s.services.findings["worker"] != nil)
    }

    @Test func aBigTraceIsRebuiltFromAnEffectAndKeepsTheCursor() {
        var s = liveState()
        s.press(.down, .down, .down)
        let selected = s.waterfall?.selectedSpan?.spanID
        let rowsBefore = s.waterfall?.rows.count
        s.update(.spans(late(5)))
        let jobs = rebuilds(s.update(.tick(milliseconds: 2_000)))
        #expect(jobs.count == 1)
        #expect(jobs.first?.spanCount == 36)
        // Until the result lands the screen shows the version it had.
        #expect(s.waterfall?.rows.count == rowsBefore)
        #expect(s.waterfall?.trace.spanCount == 31)
        s.update(.waterfallRebuilt(jobs[0].run(), tookMillis: 300))
        #expect(s.waterfall?.rows.count == rowsBefore.map { $0 + 5 })
        #expect(s.waterfall?.selectedSpan?.spanID == selected)
        #expect(render(s).text.contains("late 4"))
    }

    /// The open trace grows in batches whose children come before their parents; the
    /// tree is extended, not built again, and the waterfall (rows, root name, matches)
    /// equals one built whole from the same trace with the same folds and search.
    @Test(arguments: [false, true])
    func aGrowingTraceEqualsOneBuiltWhole(inBackground: Bool) {
        var s = liveState()
        s.backgroundRebuildSpans = inBackground ? 10 : 1_000_000
        s.press(.char("/"))
        s.type("step 1")
        s.press(.enter)
        var rng = IncrementalListsTests.Random(7)
        var next = 0x2000
        var awaited: [String] = []
        for round in 0..<12 {
            // A chain grandchild → child → parent, sent child first, under a random step
            // or under a span still to come (an orphan until its parent arrives).
            var batch: [Span] = []
            for _ in 0..<(1 + rng.below(4)) {
                var top = String(0x100 + rng.below(30), radix: 16)
                if rng.below(3) == 0 {
                    top = String(0x9000 + round * 16 + awaited.count, radix: 16)
                    awaited.append(top)
                }
                let a = String(next, radix: 16), b = String(next + 1, radix: 16)
                let start = Int64(rng.below(30)) * 1_000_000
                batch.append(span("b", b, parent: a, name: "step 1\(round) leaf", service: "db", start: start + 20, end: start + 30))
                batch.append(span("b", a, parent: top, name: "call \(round)", service: "worker", start: start + 10, end: start + 40))
                next += 2
            }
            // Now and then an awaited parent arrives, and a second root.
            if round % 3 == 2, let parent = awaited.popLast() {
                batch.append(span("b", parent, parent: "1", name: "late parent", service: "api", start: 5, end: 50))
            }
            if round == 7 { batch.append(span("b", "7777", name: "second root", service: "api", start: 3, end: 9)) }
            if round == 5 { s.press(.char(" ")) }  // a fold made along the way
            s.update(.spans(batch))
            let effects = s.update(.tick(milliseconds: Int64(2_000 + round * 1_000)))
            for job in rebuilds(effects) { s.update(.waterfallRebuilt(job.run(), tookMillis: 0)) }
            guard let w = s.waterfall else { Issue.record("closed"); return }
            #expect(w.trace.spanCount == s.store.trace(w.traceID)?.spanCount)
            #expect(w.tree == TraceTree(trace: w.trace), "round \(round)")
            var whole = WaterfallViewState(trace: w.trace, findings: s.findings(for: w.trace))
            whole.options = w.options
            whole.search = w.search
            AppState.findMatches(&whole)
            AppState.relayout(&whole, keeping: nil)
            #expect(whole.rows == w.rows && whole.rootName == w.rootName && whole.matchSpans == w.matchSpans, "round \(round)")
            #expect(whole.displayRank == w.displayRank)
        }
    }

    @Test func oneRebuildAtATimeAndTheStoreIsLookedAtAgainAfterIt() {
        var s = liveState()
        s.update(.spans(late(1)))
        let first = rebuilds(s.update(.tick(milliseconds: 2_000)))
        #expect(first.count == 1)
        s.update(.spans(Array(late(3).dropFirst())))
        #expect(rebuilds(s.update(.tick(milliseconds: 2_500))).isEmpty, "one is in flight")
        s.update(.waterfallRebuilt(first[0].run(), tookMillis: 400))
        #expect(s.waterfall?.trace.spanCount == 32)
        // The spans that came meanwhile: asked for again, after a rest as long as the
        // last rebuild took.
        #expect(rebuilds(s.update(.tick(milliseconds: 2_700))).isEmpty, "resting")
        let second = rebuilds(s.update(.tick(milliseconds: 3_000)))
        #expect(second.count == 1 && second.first?.spanCount == 34)
        s.update(.waterfallRebuilt(second[0].run(), tookMillis: 10))
        #expect(s.waterfall?.trace.spanCount == 34)
        #expect(rebuilds(s.update(.tick(milliseconds: 4_000))).isEmpty, "nothing new")
    }

    @Test func foldsAndSearchMadeWhileItRanAreApplied() {
        var s = liveState()
        s.update(.spans(late(4)))
        let jobs = rebuilds(s.update(.tick(milliseconds: 2_000)))
        // The user folds the root and searches while the rebuild runs.
        s.press(.char("/"))
        s.type("late 2")
        s.press(.enter)
        s.update(.waterfallRebuilt(jobs[0].run(), tookMillis: 5))
        let w = s.waterfall!
        #expect(w.trace.spanCount == 35)
        #expect(w.matchSpans.map { w.trace.spans[$0].name } == ["late 2"], "the search ran on the new spans")
        #expect(w.selectedSpan?.name == "late 2" || w.rows.contains { $0.spanIndex.map { w.trace.spans[$0].name } == "late 2" })
        s.press(.home, .left)
        let folded = s.waterfall!.rows.count
        s.update(.spans([span("b", "a00", parent: "1", name: "later", service: "worker", start: 50, end: 60)]))
        let next = rebuilds(s.update(.tick(milliseconds: 5_000)))
        s.press(.right)
        s.update(.waterfallRebuilt(next[0].run(), tookMillis: 5))
        #expect(s.waterfall!.rows.count == 36, "unfolded after the job started: all 36 spans, the new one too, show")
        #expect(folded == 1)
    }

    @Test func aResultForAnotherTraceOrAStaleOneIsDropped() {
        var s = liveState()
        s.update(.spans(late(2)))
        let jobs = rebuilds(s.update(.tick(milliseconds: 2_000)))
        s.press(.escape)
        s.update(.spans([span("c", "1", name: "other", start: 1, end: 2)]))
        s.update(.tick(milliseconds: 2_100))
        s.openTrace(TraceID("c")!)
        s.update(.waterfallRebuilt(jobs[0].run(), tookMillis: 5))
        #expect(s.waterfall?.traceID == TraceID("c")!)
        #expect(s.waterfall?.trace.spanCount == 1)
        // A second answer to the same job changes nothing.
        s.update(.waterfallRebuilt(jobs[0].run(), tookMillis: 5))
        #expect(s.waterfall?.traceID == TraceID("c")!)
    }

    @Test func smallTracesAreStillRebuiltInPlace() {
        var s = liveState()
        s.backgroundRebuildSpans = 1_000
        s.update(.spans(late(2)))
        #expect(rebuilds(s.update(.tick(milliseconds: 2_000))).isEmpty)
        #expect(s.waterfall?.trace.spanCount == 33)
    }
}
