extension Span {
    /// Moves the attribute lists of these spans — their own, their events' and their
    /// links' — into one exactly sized arena per trace. A trace's spans then share one
    /// allocation for all their attributes, and no trace's bytes are kept alive by
    /// another's spans (the store evicts whole traces).
    public static func packAttributesByTrace(_ spans: inout [Span]) {
        guard let first = spans.first else { return }
        if spans.allSatisfy({ $0.traceID == first.traceID }) {
            pack(&spans, Array(spans.indices))
            return
        }
        var groupOf: [TraceID: Int] = [:]
        var groups: [[Int]] = []
        for i in spans.indices {
            let id = spans[i].traceID
            if let g = groupOf[id] {
                groups[g].append(i)
            } else {
                groupOf[id] = groups.count
                groups.append([i])
            }
        }
        for group in groups { pack(&spans, group) }
    }

    private static func pack(_ spans: inout [Span], _ members: [Int]) {
        var total = 0
        for i in members {
            let span = spans[i]
            total += span.attributes.packedSize
            for e in span.events { total += e.attributes.packedSize }
            for l in span.links { total += l.attributes.packedSize }
        }
        var arena = AttributeArena(exactly: total)
        for i in members {
            spans[i].attributes = arena.adopt(spans[i].attributes)
            let events = spans[i].events, links = spans[i].links
            if events.isEmpty && links.isEmpty { continue }
            spans[i].setRare(
                events: events.map { SpanEvent(time: $0.time, name: $0.name, attributes: arena.adopt($0.attributes)) },
                links: links.map { SpanLink(traceID: $0.traceID, spanID: $0.spanID, attributes: arena.adopt($0.attributes)) })
        }
    }
}
