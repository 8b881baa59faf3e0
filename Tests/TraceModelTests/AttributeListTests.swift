import Testing
@testable import TraceModel

@Suite struct AttributeListTests {
    /// Random values of every kind, nested, with keys old and new and repeated: the
    /// packed list reads back exactly what went in, in order, and finds by key the first.
    @Test func everyValueKindRoundTrips() {
        var state: UInt64 = 0xA77
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let keyPool = ["http.request.method", "k", "", "ключ", "db.statement", "a.very.long.attribute.key.name.here", "dup"]
        func value(_ depth: Int) -> AttributeValue {
            switch next(depth > 2 ? 6 : 8) {
            case 0: return .string(["", "GET", "x", String(repeating: "long text ", count: next(40)), "注文 ✓", "\u{0}nul"][next(6)])
            case 1: return .int([0, 1, -1, 200, .max, .min, Int64(next(1 << 30)) - (1 << 29)][next(7)])
            case 2: return .double([0, -0.0, 1.5, .infinity, -.infinity, 1e300, -3.25][next(7)])
            case 3: return .bool(next(2) == 0)
            case 4: return .bytes((0..<next(300)).map { _ in UInt8(next(256)) })
            case 5: return .empty
            case 6: return .array((0..<next(4)).map { _ in value(depth + 1) })
            default: return .keyValueList((0..<next(4)).map { _ in Attribute(keyPool[next(keyPool.count)], value(depth + 1)) })
            }
        }
        for round in 0..<500 {
            let attributes = (0..<next(20)).map { _ in Attribute(keyPool[next(keyPool.count)] + (next(3) == 0 ? "\(round)" : ""), value(0)) }
            let list = AttributeList(attributes)
            #expect(Array(list) == attributes, "round \(round)")
            #expect(list.count == attributes.count && list.isEmpty == attributes.isEmpty)
            #expect(list.keys == attributes.map(\.key))
            for a in attributes { #expect(list[key: a.key] == attributes[key: a.key]) }
            #expect(list[key: "absent"] == nil)
            #expect(list == AttributeList(attributes) && list.hashValue == AttributeList(attributes).hashValue)
        }
    }

    @Test func appendingKeepsOrderAndDuplicates() {
        var list: AttributeList = [Attribute("a", .int(1))]
        list.append(Attribute("b", .string("two")))
        list.append(contentsOf: [Attribute("a", .int(3))])
        #expect(Array(list) == [Attribute("a", .int(1)), Attribute("b", .string("two")), Attribute("a", .int(3))])
        #expect(list[key: "a"] == .int(1))
        #expect(list != [Attribute("a", .int(1))])
        #expect(AttributeList().isEmpty && AttributeList().packedSize == 0)
    }

    /// The point of packing: a typical span's attributes in a fraction of an array's bytes.
    @Test func packedIsSmallerThanAnArray() {
        let attributes = [Attribute("http.request.method", .string("GET")), Attribute("http.response.status_code", .int(200)),
                          Attribute("url.full", .string("https://shop.example/api/orders/12345?expand=items")),
                          Attribute("server.address", .string("shop.example")), Attribute("app.sample.rate", .double(0.25))]
        let list = AttributeList(attributes)
        #expect(list.packedSize < 100, "\(list.packedSize) bytes")
        #expect(list.packedSize < MemoryLayout<Attribute>.stride * attributes.count / 2)
    }
}
