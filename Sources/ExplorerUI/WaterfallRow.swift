import TraceModel

/// One line of the flattened waterfall.
public struct WaterfallRow: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case span(Int)
        /// Stands in for a parent that never arrived (or a cut cycle); its orphans hang below.
        case missingParent(SpanID, isCycle: Bool)
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

    public var spanIndex: Int? {
        if case .span(let i) = kind { return i }
        return nil
    }
}

/// Flattens a trace tree into display rows, honouring collapsed subtrees. Rows are
/// computed once per trace revision and collapse state, then only visible ones drawn.
public enum WaterfallLayout {
    public static func rows(trace: Trace, tree: TraceTree, collapsed: Set<SpanID>) -> [WaterfallRow] {
        var rows: [WaterfallRow] = []
        rows.reserveCapacity(trace.spanCount + tree.orphanGroups.count)
        var subtreeSize = [Int](repeating: -1, count: trace.spanCount)

        func size(_ i: Int) -> Int {
            if subtreeSize[i] >= 0 { return subtreeSize[i] }
            // Iterative post-order: deep traces must not overflow the stack.
            var stack: [(Int, Bool)] = [(i, false)]
            while let (n, expanded) = stack.popLast() {
                if subtreeSize[n] >= 0 { continue }
                if expanded {
                    subtreeSize[n] = tree.children[n].reduce(0) { $0 + 1 + subtreeSize[$1] }
                } else {
                    stack.append((n, true))
                    for c in tree.children[n] where subtreeSize[c] < 0 { stack.append((c, false)) }
                }
            }
            return subtreeSize[i]
        }

        func emit(_ top: Int, depth: Int, parentRow: Int, isLast: Bool) {
            // Explicit stack of (span, depth, parentRow, isLast) in display order.
            var stack: [(Int, Int, Int, Bool)] = [(top, depth, parentRow, isLast)]
            while let (i, d, p, last) = stack.popLast() {
                let children = tree.children[i]
                let isCollapsed = collapsed.contains(trace.spans[i].spanID) && !children.isEmpty
                rows.append(WaterfallRow(kind: .span(i), depth: d, parentRow: p, isLastChild: last,
                                         childCount: children.count, isCollapsed: isCollapsed,
                                         hiddenDescendants: isCollapsed ? size(i) : 0))
                guard !isCollapsed else { continue }
                let me = rows.count - 1
                for (k, c) in children.enumerated().reversed() {
                    stack.append((c, d + 1, me, k == children.count - 1))
                }
            }
        }

        let groups = tree.orphanGroups
        for (k, r) in tree.roots.enumerated() {
            emit(r, depth: 0, parentRow: -1, isLast: k == tree.roots.count - 1 && groups.isEmpty)
        }
        for (g, group) in groups.enumerated() {
            rows.append(WaterfallRow(kind: .missingParent(group.missingParent, isCycle: group.isCycle), depth: 0,
                                     parentRow: -1, isLastChild: g == groups.count - 1,
                                     childCount: group.spans.count, isCollapsed: false, hiddenDescendants: 0))
            let placeholder = rows.count - 1
            for (k, s) in group.spans.enumerated() {
                emit(s, depth: 1, parentRow: placeholder, isLast: k == group.spans.count - 1)
            }
        }
        return rows
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
