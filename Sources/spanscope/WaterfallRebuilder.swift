import ExplorerUI
import Foundation
import TraceModel
import TraceSources

/// Runs the state's `rebuildWaterfall` effects on a thread of their own and holds the
/// result for the main loop to pick up; the state asks for one at a time.
final class WaterfallRebuilder: Sendable {
    private let finished = Locked<(WaterfallRebuild.Result, tookMillis: Int64)?>(nil)

    func start(_ job: WaterfallRebuild) {
        let finished = finished
        Thread.detachNewThread {
            BackgroundPriority.lowerCurrentThread()
            let started = ExplorerSession.monotonicMillis()
            let result = job.run()
            let took = ExplorerSession.monotonicMillis() - started
            finished.withLock { $0 = (result, took) }
        }
    }

    /// The finished rebuild, once.
    func take() -> (WaterfallRebuild.Result, tookMillis: Int64)? {
        finished.withLock { done in
            defer { done = nil }
            return done
        }
    }
}
