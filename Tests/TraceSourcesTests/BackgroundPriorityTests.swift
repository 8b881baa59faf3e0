import Foundation
import Testing
import TraceSources

/// Background threads run below the main loop; the thread that lowers itself is the
/// only one that changes (niceness is per thread on Linux), and threads it starts
/// inherit it, as the file tailer's decoding threads do.
@Suite struct BackgroundPriorityTests {
    @Test func lowersOnlyTheCallingThreadAndItsChildren() async {
        let caller = BackgroundPriority.currentNiceness()
        let seen = await withCheckedContinuation { (done: CheckedContinuation<(Int32, Int32, Int32), Never>) in
            Thread.detachNewThread {
                let before = BackgroundPriority.currentNiceness()
                BackgroundPriority.lowerCurrentThread()
                let after = BackgroundPriority.currentNiceness()
                Thread.detachNewThread { done.resume(returning: (before, after, BackgroundPriority.currentNiceness())) }
            }
        }
        #expect(seen.1 == min(19, seen.0 + BackgroundPriority.niceness))
        #expect(seen.1 > seen.0 || seen.0 == 19)
        #expect(seen.2 == seen.1)
        #expect(BackgroundPriority.currentNiceness() == caller)
    }
}
