/// The parent/child structure of a trace: children sorted by start time, true roots,
/// and spans hanging from a parent that is absent (orphans, grouped by that parent).
public struct TraceTree: Sendable, Equatable {
    /// Children of each span, by index into `Trace.spans`, sorted by start time.
    public let children: [[Int]]
    /// Spans with no parent id, sorted by start time.
    public let roots: [Int]
    /// Spans whose parent never arrived, grouped by the missing parent id, each group
    /// sorted by start time; groups ordered by their first span's start.
    public let orphanGroups: [OrphanGroup]
    /// How many spans hang below each span, at any depth: what a folded row hides,
    /// read without walking a subtree of perhaps a million spans.
    public let descendantCounts: [Int]

    public struct OrphanGroup: Sendable, Equatable {
        public let missingParent: SpanID
        public let spans: [Int]
        /// True when the group was cut out of a parent cycle rather than a missing parent.
        public let isCycle: Bool
    }

    /// The tree's order: by start time, then arrival (index).
    @inline(__always)
    static func startsBefore(_ a: Int, _ b: Int, in spans: SpanRows) -> Bool {
        spans[a].startTime != spans[b].startTime ? spans[a].startTime < spans[b].startTime : a < b
    }

    init(children: [[Int]], roots: [Int], orphanGroups: [OrphanGroup], descendantCounts: [Int]) {
        self.children = children
        self.roots = roots
        self.orphanGroups = orphanGroups
        self.descendantCounts = descendantCounts
    }

    /// Descendants per span, children before parents (an explicit stack: a chain of a
    /// million spans must not overflow the call stack).
    static func countDescendants(children: [[Int]], heads: [Int]) -> [Int] {
        var counts = [Int](repeating: 0, count: children.count)
        var order: [Int] = []
        order.reserveCapacity(children.count)
        var stack = heads
        while let i = stack.popLast() {
            order.append(i)
            stack.append(contentsOf: children[i])
        }
        for i in order.reversed() {
            var n = 0
            for c in children[i] { n += 1 + counts[c] }
            counts[i] = n
        }
        return counts
    }

    public init(trace: Trace) {
        let spans = trace.spans
        var children = [[Int]](repeating: [], count: spans.count)
        var roots: [Int] = []
        var orphansByParent: [SpanID: [Int]] = [:]
        for (i, span) in spans.enumerated() {
            if !span.hasParent || span.parentSpanID == span.spanID {
                roots.append(i)
            } else if let p = trace.index(of: span.parentSpanID) {
                children[p].append(i)
            } else {
                orphansByParent[span.parentSpanID, default: []].append(i)
            }
        }
        let byStart: (Int, Int) -> Bool = { Self.startsBefore($0, $1, in: spans) }
        for i in children.indices where children[i].count > 1 { children[i].sort(by: byStart) }
        roots.sort(by: byStart)
        var groups = orphansByParent.map {
            OrphanGroup(missingParent: $0.key, spans: $0.value.sorted(by: byStart), isCycle: false)
        }

        // Spans in a parent cycle (A→B→A) are reachable from no root: cut each cycle
        // at its earliest span so nothing disappears from view.
        var reached = [Bool](repeating: false, count: spans.count)
        var stack = roots + groups.flatMap(\.spans)
        while let i = stack.popLast() {
            if reached[i] { continue }
            reached[i] = true
            stack.append(contentsOf: children[i])
        }
        for i in spans.indices.sorted(by: byStart) where !reached[i] {
            groups.append(OrphanGroup(missingParent: spans[i].parentSpanID, spans: [i], isCycle: true))
            children[trace.index(of: spans[i].parentSpanID)!].removeAll { $0 == i }
            stack = [i]
            while let j = stack.popLast() {
                if reached[j] { continue }
                reached[j] = true
                stack.append(contentsOf: children[j])
            }
        }
        groups.sort { byStart($0.spans[0], $1.spans[0]) }
        self.children = children
        self.roots = roots
        self.orphanGroups = groups
        self.descendantCounts = Self.countDescendants(children: children, heads: roots + groups.flatMap(\.spans))
    }
}
