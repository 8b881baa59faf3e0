import Testing
@testable import TraceModel

/// The grown tree against a whole build of the same trace, over traces that arrive in
/// random batches: children before parents, missing parents, several roots, spans that
/// name themselves their parent, ties in start time, parent cycles.
@Suite struct TraceTreeGrowthTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Span ids 1…n; parents earlier ids (so no loops), some never sent, a few roots
    /// and self-parents; with `cycles`, some parents are later ids, which makes loops.
    /// Arrival is shuffled, so children often come before their parents.
    static func spans(count: Int, seed: UInt64, cycles: Bool) -> [Span] {
        var rng = Random(state: seed)
        var out: [Span] = []
        for id in 1...count {
            let parent: Int
            switch rng.below(20) {
            case 0: parent = 0
            case 1: parent = count + 1 + rng.below(3)  // never arrives
            case 2: parent = id
            case 3 where cycles: parent = min(count, id + 1 + rng.below(3))  // may close a loop
            default: parent = id > 1 ? 1 + rng.below(id - 1) : 0
            }
            let start = Int64(rng.below(50))
            out.append(span(String(id, radix: 16), parent: parent == 0 ? "" : String(parent, radix: 16), start: start, end: start + 5))
        }
        // Shuffled in windows: arrival order is roughly, not exactly, id order.
        for i in out.indices {
            let j = min(out.count - 1, i + rng.below(30))
            out.swapAt(i, j)
        }
        return out
    }

    @Test(arguments: [(UInt64(1), false), (2, false), (3, false), (4, true), (5, true), (6, true)])
    func grownTreeEqualsAWholeBuild(seed: UInt64, cycles: Bool) {
        var rng = Random(state: seed &* 77)
        let all = Self.spans(count: 400, seed: seed, cycles: cycles)
        var trace = Trace(id: tid("1"))
        var tree = trace.tree()
        var grown = 0, rebuilt = 0
        var sent = 0
        while sent < all.count {
            let n = min(all.count - sent, 1 + rng.below(rng.below(4) == 0 ? 60 : 6))
            let builtCount = trace.spanCount
            for s in all[sent..<sent + n] { trace.add(s) }
            sent += n
            let whole = TraceTree(trace: trace)
            if let extended = tree.extended(to: trace, from: builtCount) {
                #expect(extended == whole, "seed \(seed), after \(sent) spans")
                grown += 1
            } else {
                rebuilt += 1
            }
            tree = whole
            #expect(whole.descendantCounts == Self.countedOneByOne(whole))
            #expect(tree.rootSpanIndex(in: trace).map { trace.spans[$0].spanID } == trace.rootSpan?.spanID)
        }
        // Without loops the tree always grows in place; with them, some batches need
        // a whole build, and those must not be all of them.
        if cycles { #expect(grown > 0) } else { #expect(rebuilt == 0) }
    }

    /// Descendants by walking each span's subtree on its own.
    static func countedOneByOne(_ tree: TraceTree) -> [Int] {
        tree.children.indices.map { i in
            var n = 0
            var stack = tree.children[i]
            while let j = stack.popLast() {
                n += 1
                stack += tree.children[j]
            }
            return n
        }
    }

    @Test func aLoopClosedByANewSpanAsksForAWholeBuild() {
        // b waits for a; a arrives naming b its parent: a → b → a, reached from no root.
        var trace = Trace(id: tid("1"), spans: [span("1", start: 0, end: 9), span("b", parent: "a", start: 2, end: 3)])
        let tree = trace.tree()
        trace.add(span("a", parent: "b", start: 1, end: 4))
        #expect(tree.extended(to: trace, from: 2) == nil)
        #expect(TraceTree(trace: trace).orphanGroups.contains { $0.isCycle })
    }

    @Test func nothingNewIsTheSameTree() {
        let trace = Trace(id: tid("1"), spans: [span("1", start: 0, end: 9), span("2", parent: "1", start: 1, end: 2)])
        let tree = trace.tree()
        #expect(tree.extended(to: trace, from: 2) == tree)
        #expect(tree.extended(to: trace, from: 1) == nil, "a count that is not the tree's")
    }
}
