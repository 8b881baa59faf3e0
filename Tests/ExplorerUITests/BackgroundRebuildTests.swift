import Testing
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
