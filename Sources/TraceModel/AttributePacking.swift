extension Span {
    /// Puts each trace's spans together (traces in first-appearance order, each trace's
    /// spans in the order given) and moves their attribute lists — their own, their
    /// events' and their links' — into one exactly sized arena per trace. A trace's spans
    /// then share one allocation for all their attributes, no trace's bytes are kept
    /// alive by another's spans (the store evicts whole traces), and the store sees one
    /// run per trace, which it sizes exactly (a record lists spans by resource, so one
    /// trace's spans come in as many runs as it has services).
    public static func groupByTrace(_ spans: inout [Span], from start: Int = 0) {
        guard start < spans.count else { return }
        // Group numbers by trace, in first-appearance order; neighbours mostly share a
        // trace, so the last one is checked before the table.
        var groupOf = TraceGroupTable(capacityFor: spans.count - start)
        var group = [Int](repeating: 0, count: spans.count - start)
        var totals: [Int] = []
        var lastID = spans[start].traceID, lastGroup = -1, runs = 0
        for i in start..<spans.count {
            let id = spans[i].traceID
            if lastGroup < 0 || id != lastID {
                runs += 1
                lastGroup = groupOf.group(of: id, orNew: totals.count)
                if lastGroup == totals.count { totals.append(0) }
                lastID = id
            }
            group[i - start] = lastGroup
            totals[lastGroup] += Span.packedAttributeBytes(of: spans[i])
        }
        if runs > totals.count { putGroupsTogether(&spans, from: start, group: &group, groups: totals.count) }
        var arenas = totals.map { AttributeArena(exactly: $0) }
        for i in start..<spans.count {
            let g = group[i - start]
            arenas[g].move(&spans[i].attributes)
            if spans[i].hasRareFields { spans[i].moveRareAttributes(into: &arenas[g]) }
        }
    }

    /// Reorders `spans[start...]` so each group is contiguous, groups in number order,
    /// stable within a group. In place by swaps along the permutation's cycles: a swap
    /// moves spans without retaining anything they hold.
    private static func putGroupsTogether(_ spans: inout [Span], from start: Int, group: inout [Int], groups: Int) {
        var next = [Int](repeating: 0, count: groups)
        for g in group { next[g] += 1 }
        var offset = 0
        for g in 0..<groups {
            let size = next[g]
            next[g] = offset
            offset += size
        }
        var destination = [Int](repeating: 0, count: group.count)
        for i in 0..<group.count {
            destination[i] = next[group[i]]
            next[group[i]] += 1
        }
        // Through the buffer: `Array.swapAt` copies each span out and back (a retain and
        // a release of everything it holds); the buffer's moves its bytes.
        spans.withUnsafeMutableBufferPointer { spans in
            for i in 0..<destination.count {
                while destination[i] != i {
                    let j = destination[i]
                    spans.swapAt(start + i, start + j)
                    group.swapAt(i, j)
                    destination.swapAt(i, j)
                }
            }
        }
    }

    /// Bytes of a span's attribute lists: its own, its events' and its links'. Borrows
    /// the span: a getter on an array element copied it, retaining all it holds.
    static func packedAttributeBytes(of span: borrowing Span) -> Int {
        var total = span.attributes.packedSize
        guard span.hasRareFields else { return total }
        for e in span.events { total += e.attributes.packedSize }
        for l in span.links { total += l.attributes.packedSize }
        return total
    }
}

/// Trace id → group number for one record's spans: sized once for all of them, open
/// addressing on the id's seeded hash.
private struct TraceGroupTable {
    private var ids: [TraceID]
    private var groups: [Int32]
    private let mask: Int

    init(capacityFor n: Int) {
        var size = 16
        while size < 2 * n { size <<= 1 }
        ids = [TraceID](repeating: TraceID(high: 0, low: 0), count: size)
        groups = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The id's group, or `new` (recorded as its group) when the id is not there yet.
    mutating func group(of id: TraceID, orNew new: Int) -> Int {
        var i = id.seededHash & mask
        while groups[i] >= 0 {
            if ids[i] == id { return Int(groups[i]) }
            i = (i + 1) & mask
        }
        ids[i] = id
        groups[i] = Int32(new)
        return new
    }
}
