import Testing
@testable import TraceModel

@Suite struct TraceTests {
    @Test func assemblesOutOfOrderWithSortedChildren() {
        var trace = Trace(id: tid("1"))
        trace.add(span("c", parent: "a", start: 30, end: 40))
        trace.add(span("b", parent: "a", start: 10, end: 20, error: true))
        trace.add(span("d", parent: "b", start: 12, end: 15))
        trace.add(span("a", start: 0, end: 100))
        let tree = trace.tree()
        let names = { (i: Int) in trace.spans[i].spanID.hex.suffix(1) }
        #expect(tree.roots.map(names) == ["a"])
        #expect(tree.children[trace.index(of: sid("a"))!].map(names) == ["b", "c"])
        #expect(tree.children[trace.index(of: sid("b"))!].map(names) == ["d"])
        #expect(tree.orphanGroups.isEmpty)
        #expect(trace.duration == 100)
        #expect(trace.errorCount == 1)
        #expect(trace.rootSpan?.spanID == sid("a"))
    }

    @Test func orphansAreKeptAndGroupedByMissingParent() {
        var trace = Trace(id: tid("1"))
        trace.add(span("a", start: 0, end: 10))
        trace.add(span("e1", parent: "99", start: 5, end: 6))
        trace.add(span("e2", parent: "99", start: 4, end: 6))
        trace.add(span("e3", parent: "98", start: 1, end: 2))
        let tree = trace.tree()
        #expect(trace.orphanCount == 3)
        #expect(tree.orphanGroups.map(\.missingParent) == [sid("98"), sid("99")])
        #expect(tree.orphanGroups[1].spans.map { trace.spans[$0].spanID } == [sid("e2"), sid("e1")])
        #expect(trace.isOrphan(trace.span(sid("e1"))!))
        #expect(!trace.isOrphan(trace.span(sid("a"))!))
    }

    @Test func rootSpanFallsBackToEarliestOrphan() {
        let trace = Trace(id: tid("1"), spans: [
            span("b", parent: "ff", start: 20, end: 30), span("c", parent: "ee", start: 10, end: 30),
        ])
        #expect(trace.rootSpan?.spanID == sid("c"))
    }

    @Test func parentCyclesAndSelfParentsStayVisible() {
        var trace = Trace(id: tid("1"))
        trace.add(span("a", parent: "b", start: 0, end: 10))
        trace.add(span("b", parent: "a", start: 1, end: 9))
        trace.add(span("c", parent: "c", start: 2, end: 3))
        let tree = trace.tree()
        var seen = Set<Int>(tree.roots)
        var stack = tree.roots + tree.orphanGroups.flatMap(\.spans)
        while let i = stack.popLast() {
            seen.insert(i)
            stack += tree.children[i]
        }
        #expect(seen.count == 3)
        #expect(tree.orphanGroups.contains { $0.isCycle })
    }

    @Test func duplicateSpanIsMergedNotDoubled() {
        var trace = Trace(id: tid("1"))
        trace.add(span("a", start: 0, end: 10, error: true))
        trace.add(span("a", start: 0, end: 20))
        #expect(trace.spanCount == 1)
        #expect(trace.duplicateCount == 1)
        #expect(trace.errorCount == 0)
        #expect(trace.duration == 20)
    }

    @Test func endBeforeStartHasZeroDuration() {
        let s = span("a", start: 100, end: 50)
        #expect(s.duration == 0)
        #expect(Trace(id: tid("1"), spans: [s]).duration == 0)
    }

    @Test func deepChainDoesNotOverflowTheStack() {
        var trace = Trace(id: tid("1"))
        trace.add(span("1", start: 0, end: 1_000_000))
        for i in 2...50_000 {
            trace.add(span(String(i, radix: 16), parent: String(i - 1, radix: 16), start: Int64(i), end: 1_000_000))
        }
        let tree = trace.tree()
        #expect(tree.roots.count == 1)
        #expect(tree.children.filter { $0.count == 1 }.count == 49_999)
    }
}
