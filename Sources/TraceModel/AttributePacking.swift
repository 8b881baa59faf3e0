extension Span {
    /// Moves the attribute lists of these spans — their own, their events' and their
    /// links' — into one exactly sized arena per trace. A trace's spans then share one
    /// allocation for all their attributes, and no trace's bytes are kept alive by
    /// another's spans (the store evicts whole traces).
    public static func packAttributesByTrace(_ spans: inout [Span], from start: Int = 0) {
        guard start < spans.count else { return }
        // Group numbers by trace, in first-appearance order; neighbours mostly share a
        // trace, so the last one is checked before the dictionary.
        var groupOf: [TraceID: Int] = [:]
        var group = [Int](repeating: 0, count: spans.count - start)
        var totals: [Int] = []
        var lastID = spans[start].traceID, lastGroup = -1
        for i in start..<spans.count {
            let id = spans[i].traceID
            if lastGroup < 0 || id != lastID {
                if let g = groupOf[id] {
                    lastGroup = g
                } else {
                    lastGroup = totals.count
                    groupOf[id] = lastGroup
                    totals.append(0)
                }
                lastID = id
            }
            group[i - start] = lastGroup
            totals[lastGroup] += spans[i].packedAttributeBytes
        }
        var arenas = totals.map { AttributeArena(exactly: $0) }
        for i in start..<spans.count {
            let g = group[i - start]
            spans[i].attributes = arenas[g].adopt(spans[i].attributes)
            guard spans[i].hasRareFields else { continue }
            let events = spans[i].events, links = spans[i].links
            if events.isEmpty && links.isEmpty { continue }
            spans[i].setRare(
                events: events.map { SpanEvent(time: $0.time, name: $0.name, attributes: arenas[g].adopt($0.attributes)) },
                links: links.map { SpanLink(traceID: $0.traceID, spanID: $0.spanID, attributes: arenas[g].adopt($0.attributes)) })
        }
    }

    /// Bytes of this span's attribute lists: its own, its events' and its links'.
    var packedAttributeBytes: Int {
        var total = attributes.packedSize
        guard hasRareFields else { return total }
        for e in events { total += e.attributes.packedSize }
        for l in links { total += l.attributes.packedSize }
        return total
    }
}
