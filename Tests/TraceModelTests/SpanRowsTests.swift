import Testing
@testable import TraceModel

/// The chunked span storage behaves as an array: order, indices and value semantics
/// across chunk boundaries, and a copy is never changed by changes to the original.
@Suite struct SpanRowsTests {
    func span(_ i: Int) -> Span {
        Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(UInt64(i + 1)), name: "s\(i)", startTime: Int64(i), endTime: Int64(i + 1))
    }

    @Test(arguments: [0, 1, 4_095, 4_096, 4_097, 10_000])
    func actsAsAnArray(count: Int) {
        let reference = (0..<count).map(span)
        let rows = SpanRows(reference)
        #expect(rows.count == count)
        #expect(Array(rows).map(\.spanID) == reference.map(\.spanID), "the iterator walks every chunk in order")
        #expect(rows.indices.map { rows[$0].spanID } == reference.map(\.spanID))
        #expect(rows.last?.spanID == reference.last?.spanID)
    }

    @Test func copiesAreIndependent() {
        var original = SpanRows((0..<9_000).map(span))
        let snapshot = original
        original.append(span(9_000))
        original[5] = span(77_777)
        original[8_999] = span(88_888)
        #expect(snapshot.count == 9_000)
        #expect(snapshot[5].spanID == SpanID(6) && snapshot[8_999].spanID == SpanID(9_000))
        #expect(original.count == 9_001 && original[5].spanID == SpanID(77_778) && original[8_999].spanID == SpanID(88_889))
    }

    @Test func aTraceKeptByAViewIsUntouchedByLaterSpans() {
        var store = TraceStore()
        store.add((0..<5_000).map(span))
        let shown = store.trace(TraceID(high: 0, low: 1))!
        store.add((5_000..<5_100).map(span) + [Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(3), name: "re-export",
                                                    startTime: 2, endTime: 3)])
        let now = store.trace(TraceID(high: 0, low: 1))!
        #expect(shown.spanCount == 5_000 && shown.spans[2].name == "s2")
        #expect(now.spanCount == 5_100 && now.spans[2].name == "re-export" && now.index(of: SpanID(5_100)) == 5_099)
    }
}

@Suite struct ServiceCountTests {
    @Test(arguments: [0, 1, 3, 8, 9, 30])
    func countsDistinctServicesLikeTheSortedList(services: Int) {
        let id = TraceID(high: 0, low: 7)
        let spans = (0..<(services * 3)).map { i in
            Span(traceID: id, spanID: SpanID(UInt64(i + 1)), name: "s", startTime: 1, endTime: 2,
                 resource: Resource(serviceName: "svc-\((i * 7) % max(1, services))"))
        }
        let trace = Trace(id: id, spans: spans)
        #expect(trace.serviceCount == trace.services.count)
        #expect(trace.serviceCount == services)
    }
}
