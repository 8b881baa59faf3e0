import TraceModel

/// One line of the flattened waterfall.
public struct WaterfallRow: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case span(Int)
        /// Stands in for a parent that never arrived (or a cut cycle); its orphans hang below.
        case missingParent(SpanID, isCycle: Bool)
        /// Consecutive siblings with the same service and name (`db.write_row ×48`),
        /// by span index; their rows follow when the run is expanded.
        case run([Int])
    }

    public var kind: Kind
    public var depth: Int
    /// Row index of the parent row, or -1 at the top level.
    public var parentRow: Int
    public var isLastChild: Bool
    public var childCount: Int
    public var isCollapsed: Bool
    /// Spans hidden below this row while it is collapsed.
    public var hiddenDescendants: Int
    /// A run's totals, computed once per layout rather than on every frame.
    public var run: RunStats? = nil

    public var spanIndex: Int? {
        if case .span(let i) = kind { return i }
        return nil
    }

    /// The span a row stands for: itself, or a run's first member.
    public var anchorSpan: Int? {
        switch kind {
        case .span(let i): return i
        case .run(let members): return members.first
        case .missingParent: return nil
        }
    }
}

/// What a run of alike siblings adds up to.
public struct RunStats: Equatable, Sendable {
    public var count: Int
    /// Earliest start and latest end of the members (wall time).
    public var start: Int64
    public var end: Int64
    /// The members' durations summed, and their spread.
    public var total: Int64
    public var shortest: Int64
    public var median: Int64
    public var p95: Int64
    public var longest: Int64
    public var errors: Int

    init(_ members: [Int], in trace: Trace) {
        let spans = members.map { trace.spans[$0] }
        let durations = spans.map(\.duration).sorted()
        count = spans.count
        start = spans.map(\.startTime).min() ?? 0
        end = spans.map { max($0.endTime, $0.startTime) }.max() ?? start
        total = durations.reduce(0, +)
        shortest = durations.first ?? 0
        median = percentile(durations, 50)
        p95 = percentile(durations, 95)
        longest = durations.last ?? 0
        errors = spans.filter(\.isError).count
    }
}

/// How the waterfall is folded and filtered.
public struct WaterfallOptions: Equatable, Sendable {
    public var collapsed: Set<SpanID> = []
    /// Runs whose fold state differs from `runsExpandedByDefault`, by first member.
    public var toggledRuns: Set<SpanID> = []
    public var runsExpandedByDefault = false
    /// Spans to show (a hiding filter's matches and their ancestors); nil shows all.
    public var keep: [Bool]?
    /// Siblings this many or more in a row with the same service and name fold into one row.
    public var runThreshold = 5

    public init(collapsed: Set<SpanID> = []) {
        self.collapsed = collapsed
    }

    public func isRunExpanded(_ first: SpanID) -> Bool { toggledRuns.contains(first) != runsExpandedByDefault }
}

/// Flattens a trace tree into display rows, honouring collapsed subtrees, folded runs
/// and a hiding filter. Rows are computed once per trace revision and fold state, then
/// only visible ones drawn.
public enum WaterfallLayout {
    /// Subtrees whose children take more rows than this start folded (roots excepted).
    public static let autoFoldChildren = 50

    /// The spans that start folded: every non-root whose children would fill very many
    /// rows. Rows, not children: 500 alike `db.write_row` children are one run row and
    /// leave their parent open; 60 distinct ones fold it.
    public static func autoCollapsed(trace: Trace, tree: TraceTree,
                                     runThreshold: Int = WaterfallOptions().runThreshold) -> Set<SpanID> {
        var out = Set<SpanID>()
        let roots = Set(tree.roots)
        for i in tree.children.indices where tree.children[i].count > autoFoldChildren && !roots.contains(i) {
            let rows = alikeRuns(tree.children[i], in: trace).reduce(0) { $0 + ($1.count >= runThreshold ? 1 : $1.count) }
            if rows > autoFoldChildren { out.insert(trace.spans[i].spanID) }
        }
        return out
    }

    /// Siblings (in display order) split into stretches of alike spans, same service
    /// and name; a stretch of `runThreshold` or more shows as one run row.
    static func alikeRuns(_ list: [Int], in trace: Trace) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var k = 0
        while k < list.count {
            let first = trace.spans[list[k]]
            var end = k + 1
            while end < list.count, trace.spans[list[end]].name == first.name,
                  trace.spans[list[end]].serviceName == first.serviceName { end += 1 }
            out.append(k..<end)
            k = end
        }
        return out
    }

    public static func rows(trace: Trace, tree: TraceTree, collapsed: Set<SpanID>) -> [WaterfallRow] {
        rows(trace: trace, tree: tree, options: WaterfallOptions(collapsed: collapsed))
    }

    public static func rows(trace: Trace, tree: TraceTree, options: WaterfallOptions) -> [WaterfallRow] {
        var rows: [WaterfallRow] = []
        rows.reserveCapacity(min(trace.spanCount + tree.orphanGroups.count, 1 << 20))
        let keep = options.keep
        // Only a filter needs counts of its own; the tree has them for the whole trace.
        var subtreeSize = keep == nil ? [] : [Int](repeating: -1, count: trace.spanCount)

        func shown(_ list: [Int]) -> [Int] {
            guard let keep else { return list }
            return list.filter { keep[$0] }
        }

        /// Shown descendants of a span.
        func size(_ i: Int) -> Int {
            if keep == nil { return tree.descendantCounts[i] }
            if subtreeSize[i] >= 0 { return subtreeSize[i] }
            // Iterative post-order: deep traces must not overflow the stack.
            var stack: [(Int, Bool)] = [(i, false)]
            while let (n, expanded) = stack.popLast() {
                if subtreeSize[n] >= 0 { continue }
                if expanded {
                    subtreeSize[n] = shown(tree.children[n]).reduce(0) { $0 + 1 + subtreeSize[$1] }
                } else {
                    stack.append((n, true))
                    for c in shown(tree.children[n]) where subtreeSize[c] < 0 { stack.append((c, false)) }
                }
            }
            return subtreeSize[i]
        }

        enum Entry {
            case span(Int)
            case run([Int])
        }

        /// Siblings in display order, with runs of alike spans grouped.
        func group(_ list: [Int]) -> [Entry] {
            var out: [Entry] = []
            for stretch in alikeRuns(list, in: trace) {
                if stretch.count >= options.runThreshold {
                    out.append(.run(Array(list[stretch])))
                } else {
                    for j in stretch { out.append(.span(list[j])) }
                }
            }
            return out
        }

        func emit(_ entries: [Entry], depth: Int, parentRow: Int, lastIsLast: Bool) {
            // Explicit stack of (entry, depth, parentRow, isLast) in display order.
            var stack: [(Entry, Int, Int, Bool)] = []
            for (k, e) in entries.enumerated().reversed() { stack.append((e, depth, parentRow, k == entries.count - 1 && lastIsLast)) }
            while let (entry, d, p, last) = stack.popLast() {
                switch entry {
                case .span(let i):
                    let children = shown(tree.children[i])
                    let isCollapsed = !children.isEmpty && options.collapsed.contains(trace.spans[i].spanID)
                    rows.append(WaterfallRow(kind: .span(i), depth: d, parentRow: p, isLastChild: last,
                                             childCount: children.count, isCollapsed: isCollapsed,
                                             hiddenDescendants: isCollapsed ? size(i) : 0))
                    guard !isCollapsed else { continue }
                    let me = rows.count - 1
                    let grouped = group(children)
                    for (k, e) in grouped.enumerated().reversed() { stack.append((e, d + 1, me, k == grouped.count - 1)) }
                case .run(let members):
                    let expanded = options.isRunExpanded(trace.spans[members[0]].spanID)
                    rows.append(WaterfallRow(kind: .run(members), depth: d, parentRow: p, isLastChild: last,
                                             childCount: members.count, isCollapsed: !expanded,
                                             hiddenDescendants: expanded ? 0 : members.reduce(0) { $0 + 1 + size($1) },
                                             run: RunStats(members, in: trace)))
                    guard expanded else { continue }
                    let me = rows.count - 1
                    for (k, m) in members.enumerated().reversed() { stack.append((.span(m), d + 1, me, k == members.count - 1)) }
                }
            }
        }

        let groups = tree.orphanGroups.filter { g in keep == nil || g.spans.contains { keep![$0] } }
        emit(group(shown(tree.roots)), depth: 0, parentRow: -1, lastIsLast: groups.isEmpty)
        for (g, orphans) in groups.enumerated() {
            let members = shown(orphans.spans)
            rows.append(WaterfallRow(kind: .missingParent(orphans.missingParent, isCycle: orphans.isCycle), depth: 0,
                                     parentRow: -1, isLastChild: g == groups.count - 1,
                                     childCount: members.count, isCollapsed: false, hiddenDescendants: 0))
            emit(group(members), depth: 1, parentRow: rows.count - 1, lastIsLast: true)
        }
        return rows
    }

    /// Matching spans and every ancestor of one, for a hiding filter.
    public static func keepSet(trace: Trace, matching: [Int]) -> [Bool] {
        var keep = [Bool](repeating: false, count: trace.spanCount)
        for m in matching {
            var i: Int? = m
            while let j = i, !keep[j] {
                keep[j] = true
                let span = trace.spans[j]
                i = span.hasParent && span.parentSpanID != span.spanID ? trace.index(of: span.parentSpanID) : nil
            }
        }
        return keep
    }

    /// The tree guide drawn before a row: `│  ├─ ` and friends, from the ancestors' positions.
    public static func guide(for index: Int, in rows: [WaterfallRow]) -> String {
        let row = rows[index]
        guard row.depth > 0 else { return "" }
        var parts: [String] = [row.isLastChild ? "└─ " : "├─ "]
        var p = row.parentRow
        while p >= 0, rows[p].depth > 0 {
            parts.append(rows[p].isLastChild ? "   " : "│  ")
            p = rows[p].parentRow
        }
        return parts.reversed().joined()
    }
}
