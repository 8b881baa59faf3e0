/// Keeping a trace's tree as the trace grows: spans appended since the tree was built
/// are put in their places (a live million-span trace spent 0.2–0.3 s a rebuild sorting
/// every child list again), and the root is read off the tree instead of a scan.
extension TraceTree {
    /// The tree of `trace`, which must be the trace this tree was built from with spans
    /// appended after its first `builtCount` and none replaced (the caller compares
    /// `duplicateCount`); nil when a parent cycle is involved and a whole build is
    /// needed. Equal to `TraceTree(trace:)` whenever it is not nil.
    public func extended(to trace: Trace, from builtCount: Int) -> TraceTree? {
        let spans = trace.spans
        guard builtCount == children.count, builtCount <= spans.count else { return nil }
        if builtCount == spans.count { return self }
        // A cut cycle depends on which span is earliest among spans that may change.
        guard !orphanGroups.contains(where: \.isCycle) else { return nil }
        let byStart: (Int, Int) -> Bool = { Self.startsBefore($0, $1, in: spans) }
        // New entries are gathered per list, then merged in once: a list of a million
        // children gaining spans that start early would otherwise move its tail per span.
        func merged(_ list: [Int], _ additions: [Int]) -> [Int] {
            let additions = additions.sorted { byStart($0, $1) }
            if let last = list.last, let first = additions.first, byStart(first, last) {
                return mergeSorted(list, with: additions) { byStart($0, $1) }
            }
            return list + additions
        }
        var children = children
        children.append(contentsOf: repeatElement([], count: spans.count - builtCount))
        var waiting: [SpanID: [Int]] = [:]
        var order: [SpanID] = []
        for group in orphanGroups {
            waiting[group.missingParent] = group.spans
            order.append(group.missingParent)
        }
        var newChildren: [Int: [Int]] = [:]
        var newRoots: [Int] = []
        var newOrphans: [SpanID: [Int]] = [:]
        var adopters: [Int] = []
        var adoptedHeads: [Int] = []
        for i in builtCount..<spans.count {
            let span = spans[i]
            if let adopted = waiting.removeValue(forKey: span.spanID) {
                // Spans that waited for this one hang from it now.
                newChildren[i, default: []] += adopted
                adopters.append(i)
                adoptedHeads += adopted.filter { $0 < builtCount }
            }
            if !span.hasParent || span.parentSpanID == span.spanID {
                newRoots.append(i)
            } else if let p = trace.index(of: span.parentSpanID) {
                newChildren[p, default: []].append(i)
            } else {
                newOrphans[span.parentSpanID, default: []].append(i)
            }
        }
        for (p, additions) in newChildren { children[p] = merged(children[p], additions) }
        let roots = merged(roots, newRoots)
        for (id, additions) in newOrphans {
            // A parent still missing: its group grows, or a new one starts.
            if waiting[id] == nil { order.append(id) }
            waiting[id] = merged(waiting[id] ?? [], additions)
        }
        // A new span whose own ancestors pass through itself closes a cycle: every
        // span must still be reached from a root or an orphan group.
        if !Self.reachesEverySpan(children: children, roots: roots, waiting: waiting, count: spans.count, from: builtCount,
                                  adopters: adopters, spans: spans, trace: trace) {
            return nil
        }
        var groups = order.compactMap { id in waiting[id].map { OrphanGroup(missingParent: id, spans: $0, isCycle: false) } }
        groups.sort { byStart($0.spans[0], $1.spans[0]) }
        // Each new span counts once for every span above it; a subtree that waited for
        // a new parent counts, whole, for its new ancestors. Walks up a very deep trace
        // would cost more than counting afresh.
        var counts = descendantCounts
        counts.append(contentsOf: repeatElement(0, count: spans.count - builtCount))
        var steps = 0
        let budget = spans.count + 100_000
        func countAbove(_ i: Int, _ amount: Int) -> Bool {
            var j = i
            while true {
                let s = spans[j]
                guard s.hasParent, s.parentSpanID != s.spanID, let p = trace.index(of: s.parentSpanID) else { return true }
                counts[p] += amount
                j = p
                steps += 1
                if steps > budget { return false }
            }
        }
        for i in builtCount..<spans.count where !countAbove(i, 1) { return nil }
        for a in adoptedHeads where !countAbove(a, 1 + descendantCounts[a]) { return nil }
        return TraceTree(children: children, roots: roots, orphanGroups: groups, descendantCounts: counts)
    }

    /// Whether every span is reached, judged cheaply: spans built before were reached
    /// (the old tree had no cycle), so only new spans and the subtrees they adopted can
    /// be cut off, and only by a parent chain that leads back to them.
    private static func reachesEverySpan(children: [[Int]], roots: [Int], waiting: [SpanID: [Int]], count: Int, from builtCount: Int,
                                         adopters: [Int], spans: SpanRows, trace: Trace) -> Bool {
        // Known to hang from a root or an orphan group: 1; on the walk now: 2.
        var state = [UInt8](repeating: 0, count: count)
        for i in 0..<builtCount { state[i] = 1 }
        // An adopted subtree was reached through its group; it is reached now only if
        // its new parent is, so its spans are judged again.
        var stack = adopters
        while let i = stack.popLast() {
            for c in children[i] where c < builtCount && state[c] == 1 {
                state[c] = 0
                stack.append(c)
            }
        }
        for r in roots { state[r] = 1 }
        for group in waiting.values { for s in group { state[s] = 1 } }
        for i in 0..<count where state[i] == 0 {
            // Walk up to a span known either way, then mark the path.
            var path: [Int] = []
            var j = i
            while state[j] == 0 {
                state[j] = 2
                path.append(j)
                guard let p = trace.index(of: spans[j].parentSpanID) else { return false }
                j = p
            }
            if state[j] == 2 { return false }
            for k in path { state[k] = 1 }
        }
        return true
    }

    /// The index of `trace.rootSpan`, read off the tree: the earliest span without a
    /// parent, failing that the earliest orphan (ties: the first to arrive).
    public func rootSpanIndex(in trace: Trace) -> Int? {
        let spans = trace.spans
        // Roots are sorted; a span that names itself its parent is a root here but not
        // a true root there.
        if let trueRoot = roots.first(where: { !spans[$0].hasParent }) { return trueRoot }
        let orphans = orphanGroups.filter { !$0.isCycle }.map { $0.spans[0] }
        if let first = orphans.min(by: { Self.startsBefore($0, $1, in: spans) }) { return first }
        guard !spans.isEmpty else { return nil }
        return spans.indices.min { spans[$0].startTime < spans[$1].startTime }
    }
}
