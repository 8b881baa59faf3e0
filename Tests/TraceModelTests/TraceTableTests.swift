import Testing
@testable import TraceModel

@Suite struct TraceTableTests {
    /// Random inserts and removals against a dictionary: the same traces found by id,
    /// `values` and `keys` holding exactly them, and the array growing by a quarter
    /// (not doubling: it is most of the table's bytes).
    @Test func actsAsADictionaryOfTraces() {
        var rng = SystemRandomNumberGenerator()
        var table = TraceTable(), model: [TraceID: Trace] = [:]
        for step in 0..<4_000 {
            let id = TraceID(high: 1, low: UInt64.random(in: 1...600, using: &rng))
            if model[id] == nil, step % 5 != 4 {
                let trace = Trace(id: id, spans: [span("1", trace: id.hex, start: Int64(step), end: Int64(step) + 10)])
                let position = table.insert(trace)
                #expect(table.values[position].id == id)
                model[id] = trace
            } else {
                #expect(table.remove(id)?.startTime == model.removeValue(forKey: id)?.startTime)
            }
            #expect(table.count == model.count && table.contains(id) == (model[id] != nil))
            #expect(table[id]?.startTime == model[id]?.startTime)
            if step % 500 == 0 {
                #expect(Set(table.keys) == Set(model.keys) && table.keys.count == model.count)
                for trace in table.values { #expect(model[trace.id]?.startTime == trace.startTime) }
            }
        }
        var grown = TraceTable()
        for low in 1...10_000 { _ = grown.insert(Trace(id: TraceID(high: 2, low: UInt64(low)))) }
        #expect(grown.values.capacity < 10_000 * 5 / 4 + 64, "\(grown.values.capacity)")
    }

    /// A small table kept nearly half full while traces come and go: long probe runs,
    /// runs that wrap around the end, and removals from their middle, against a set.
    @Test func removalsKeepEveryIdFindableInCrowdedProbeRuns() {
        var rng = SystemRandomNumberGenerator()
        var table = TraceTable(), held = Set<TraceID>()
        for _ in 0..<20_000 {
            let id = TraceID(high: UInt64.random(in: 1...3, using: &rng), low: UInt64.random(in: 1...40, using: &rng))
            if held.contains(id) || held.count >= 31 {
                let victim = held.contains(id) ? id : held.randomElement(using: &rng)!
                #expect(table.remove(victim)?.id == victim)
                held.remove(victim)
            } else {
                _ = table.insert(Trace(id: id))
                held.insert(id)
            }
            #expect(table.count == held.count)
        }
        for id in held { #expect(table[id]?.id == id) }
        #expect(Set(table.keys) == held)
        for high in UInt64(1)...3 {
            for low in UInt64(1)...40 where !held.contains(TraceID(high: high, low: low)) {
                #expect(!table.contains(TraceID(high: high, low: low)))
            }
        }
    }
}
