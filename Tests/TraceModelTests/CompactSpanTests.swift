import Testing
@testable import TraceModel

/// The compact forms spans are held in: the small `Span` value with its rare fields
/// boxed, the per-trace span index, and attribute lists packed into shared arenas.
@Suite struct CompactSpanTests {
    private struct Random {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// A million spans are held as these values: a new stored field must be a choice.
    @Test func spanStaysSmall() {
        #expect(MemoryLayout<Span>.size <= 104)
        #expect(MemoryLayout<AttributeList>.size == 16)
        // One per trace, in a hash table with room to spare: a million spans of small
        // traces are a hundred thousand of these (112 bytes before the counters shrank).
        #expect(MemoryLayout<Trace>.stride <= 88)
    }

    @Test func traceCountersCountErrorsDuplicatesAndSpansOverTheCap() {
        var store = TraceStore(maxSpans: 2)
        store.add([span("1", trace: "a", start: 0, end: 5, error: true), span("2", parent: "1", trace: "a", start: 1, end: 2)])
        store.add([span("2", parent: "1", trace: "a", start: 1, end: 3, error: true), span("3", parent: "1", trace: "a", start: 1, end: 2)])
        let trace = store.trace(tid("a"))!
        #expect(trace.spanCount == 2 && trace.errorCount == 2 && trace.duplicateCount == 1 && trace.spansOverCap == 1)
        store.add([span("2", parent: "1", trace: "a", start: 1, end: 3)])
        #expect(store.trace(tid("a"))!.errorCount == 1 && store.trace(tid("a"))!.duplicateCount == 2)
    }

    @Test func rareFieldsReadBackHoweverTheyWereSet() {
        let event = SpanEvent(time: 5, name: "exception", attributes: [Attribute("exception.type", .string("E"))])
        let link = SpanLink(traceID: tid("2"), spanID: sid("3"), attributes: [Attribute("why", .string("batch"))])
        let full = Span(traceID: tid("1"), spanID: sid("1"), name: "op", startTime: 1, endTime: 2,
                        status: SpanStatus(code: .error, message: "boom"), events: [event], links: [link], traceState: "k=v")
        var built = Span(traceID: tid("1"), spanID: sid("1"), name: "op", startTime: 1, endTime: 2)
        #expect(built.events.isEmpty && built.links.isEmpty && built.traceState.isEmpty && built.status.message.isEmpty)
        built.events = [event]
        #expect(built.events == [event] && built.links.isEmpty)
        built.status = SpanStatus(code: .error, message: "boom")
        built.links.append(link)
        built.traceState = "k=v"
        #expect(built == full && built.hashValue == full.hashValue)
        #expect(built.events == [event] && built.links == [link] && built.traceState == "k=v")
        #expect(built.status == SpanStatus(code: .error, message: "boom") && built.isError)

        // Taking each back out returns to the plain span, equal to one never given them.
        built.status = SpanStatus(code: .unset)
        built.links = []
        built.traceState = ""
        #expect(built.events == [event] && built.status.message.isEmpty)
        built.events = []
        #expect(built == Span(traceID: tid("1"), spanID: sid("1"), name: "op", startTime: 1, endTime: 2))
    }

    @Test func resourceAndScopeAreSetApart() {
        var s = Span(traceID: tid("1"), spanID: sid("1"), name: "op", startTime: 1, endTime: 2,
                     resource: Resource(serviceName: "a"), scope: InstrumentationScope(name: "lib", version: "1"))
        s.resource = Resource(serviceName: "b")
        #expect(s.serviceName == "b" && s.scope.name == "lib" && s.scope.version == "1")
        s.scope = InstrumentationScope(name: "other")
        #expect(s.serviceName == "b" && s.scope.name == "other")
        let shared = SpanOrigin(resource: Resource(serviceName: "b"), scope: InstrumentationScope(name: "other"))
        var t = s
        t.origin = shared
        #expect(t == s)
    }

    /// The trace's span index against a dictionary, over random adds and re-adds of ids
    /// drawn from small and large, sequential and random ranges, past the scan limit.
    @Test func spanIndexAgreesWithADictionary() {
        var rng = Random(state: 0x51DE)
        for round in 0..<40 {
            var trace = Trace(id: tid("1"))
            var oracle: [SpanID: Int] = [:]
            let size = [1, 15, 16, 17, 64, 700, 3000][round % 7]
            for step in 0..<(size + size / 3) {
                let raw: UInt64 = round % 2 == 0 ? UInt64(rng.next(size) + 1) : UInt64(rng.next(size) + 1) &* 0x9E37_79B9_7F4A_7C15
                let id = SpanID(raw)
                let s = Span(traceID: tid("1"), spanID: id, name: "s\(step)", startTime: Int64(step), endTime: Int64(step + 1))
                if oracle[id] == nil { oracle[id] = oracle.count }
                trace.add(s)
                #expect(trace.spanCount == oracle.count)
            }
            for (id, position) in oracle {
                #expect(trace.index(of: id) == position, "round \(round)")
                #expect(trace.span(id)?.spanID == id)
            }
            for _ in 0..<50 {
                let absent = SpanID(UInt64(size + 1 + rng.next(1000)) &* 3)
                if oracle[absent] == nil { #expect(trace.index(of: absent) == nil) }
            }
            #expect(trace.duplicateCount == size + size / 3 - oracle.count)
        }
    }

    private func randomList(_ rng: inout Random, _ tag: Int) -> AttributeList {
        var list = AttributeList()
        for i in 0..<rng.next(14) {
            switch rng.next(4) {
            case 0: list.append(Attribute("k\(i)", .string(String(repeating: "v", count: rng.next(40)) + "\(tag)")))
            case 1: list.append(Attribute("n\(i)", .int(Int64(rng.next(1 << 20)) - 5)))
            case 2: list.append(Attribute("d\(i)", .double(Double(rng.next(1000)) / 7)))
            default: list.append(Attribute("b\(i)", .array([.bool(true), .string("x\(tag)")])))
            }
        }
        return list
    }

    /// Grouping spans of several traces puts each trace's together in order and packs
    /// them into per-trace arenas without changing a list; editing a packed list
    /// afterwards copies it out and leaves its neighbours as they were.
    @Test func groupingByTraceKeepsEveryListAndEditsStayPrivate() {
        var rng = Random(state: 0xA2E)
        for round in 0..<30 {
            var spans: [Span] = []
            for i in 0..<(1 + rng.next(80)) {
                var s = Span(traceID: TraceID(high: 0, low: UInt64(1 + rng.next(5))), spanID: SpanID(UInt64(i + 1)),
                             name: "op", startTime: 0, endTime: 1, attributes: randomList(&rng, i))
                if rng.next(3) == 0 {
                    s.events = (0..<(1 + rng.next(3))).map { SpanEvent(time: Int64($0), name: "e", attributes: randomList(&rng, -$0)) }
                }
                if rng.next(5) == 0 { s.links = [SpanLink(traceID: tid("9"), spanID: sid("9"), attributes: randomList(&rng, 99))] }
                spans.append(s)
            }
            // Expected: each trace's spans together, traces by first appearance, each
            // trace's spans in the order given.
            var order: [TraceID] = []
            for s in spans where !order.contains(s.traceID) { order.append(s.traceID) }
            let before = order.flatMap { id in spans.filter { $0.traceID == id } }
            Span.groupByTrace(&spans)
            #expect(spans == before, "round \(round)")
            for (a, b) in zip(spans, before) {
                #expect(Array(a.attributes) == Array(b.attributes))
                #expect(a.events.map { Array($0.attributes) } == b.events.map { Array($0.attributes) })
            }
            // Every list of a trace (its spans', events' and links') is in its one arena.
            for id in order {
                let lists = spans.filter { $0.traceID == id }
                    .flatMap { [$0.attributes] + $0.events.map(\.attributes) + $0.links.map(\.attributes) }
                    .filter { !$0.isEmpty }
                #expect(lists.allSatisfy { $0.sharesBuffer(with: lists[0]) }, "round \(round)")
            }
            // Append to every other packed list: the rest read exactly as before.
            for i in stride(from: 0, to: spans.count, by: 2) {
                spans[i].attributes.append(Attribute("added", .int(Int64(i))))
            }
            for i in spans.indices {
                var expected = before[i].attributes
                if i % 2 == 0 { expected.append(Attribute("added", .int(Int64(i)))) }
                #expect(spans[i].attributes == expected, "round \(round) span \(i)")
            }
        }
    }

    @Test func arenaSpillsToNewChunksAndKeepsOldOnesIntact() {
        var rng = Random(state: 0xC4)
        var arena = AttributeArena(chunkSize: 100)
        var adopted: [(AttributeList, AttributeList)] = []
        for i in 0..<200 {
            let list = randomList(&rng, i)
            adopted.append((arena.adopt(list), list))
        }
        for (inArena, original) in adopted { #expect(inArena == original && Array(inArena) == Array(original)) }
    }

    /// A list left alone in an arena (its neighbours and the arena gone) but not at its
    /// end must not grow in place over the dead neighbours' bytes.
    @Test func aListAloneInItsArenaStillGrowsCorrectly() {
        func firstOfTwo() -> AttributeList {
            var arena = AttributeArena()
            let first = arena.adopt([Attribute("a", .int(1))])
            _ = arena.adopt([Attribute("b", .string("neighbour"))])
            return first
        }
        var list = firstOfTwo()
        list.append(Attribute("c", .int(3)))
        #expect(Array(list) == [Attribute("a", .int(1)), Attribute("c", .int(3))])
    }

    /// A list reused as scratch never disturbs a copy taken of it before.
    @Test func clearingAScratchListLeavesCopiesAlone() {
        var scratch: AttributeList = [Attribute("a", .string("first"))]
        let kept = scratch
        scratch.removeAll(keepingCapacity: true)
        scratch.append(Attribute("b", .string("second")))
        #expect(Array(kept) == [Attribute("a", .string("first"))])
        #expect(Array(scratch) == [Attribute("b", .string("second"))])
        var alone: AttributeList = [Attribute("x", .int(1))]
        alone.removeAll(keepingCapacity: true)
        #expect(alone.isEmpty && alone.count == 0 && Array(alone).isEmpty)
        alone.append(Attribute("y", .int(2)))
        #expect(Array(alone) == [Attribute("y", .int(2))])
    }
}
