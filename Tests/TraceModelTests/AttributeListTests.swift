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

    /// The decoder's builder writes the very bytes appending to a list writes, for every
    /// kind of value, through its scalar shortcuts and its general path, with keys that
    /// have a number and keys written as text; one builder is reused across lists and
    /// grows past its first capacity.
    @Test func builderWritesWhatAppendingWrites() {
        var state: UInt64 = 0xB17D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let builder = AttributeListBuilder(capacity: 64)
        var arena = AttributeArena(chunkSize: 256)
        for round in 0..<400 {
            builder.reset()
            var expected = AttributeList()
            for _ in 0..<next(24) {
                let key = ["http.route", "", "k\(next(50))", "ключ.\(round % 3)"][next(4)]
                let value: AttributeValue = [
                    .string(String(repeating: "v", count: next(300))), .int(Int64(next(1 << 20)) - (1 << 19)),
                    .int([Int64.max, .min][next(2)]), .bool(next(2) == 0), .double([0.1, -0.0, .infinity, 1e-300][next(4)]),
                    .array([.string("a"), .int(2)]), .keyValueList([Attribute("n", .bool(true))]), .empty, .bytes([1, 2, 3]),
                ][next(9)]
                expected.append(Attribute(key, value))
                var keyText = key
                // Keys by number, as the decoder writes them when the shared table has one;
                // every third as text, as when the table is full.
                let idPlusOne = next(3) == 0 ? 0 : AttributeKeys.id(key)! + 1
                keyText.withUTF8 { builder.key(idPlusOne, text: UnsafeRawBufferPointer($0)) }
                switch (value, next(2)) {
                case (.string(var s), 0): s.withUTF8 { builder.string(UnsafeRawBufferPointer($0)) }
                case (.int(let i), 0): builder.int(i)
                case (.bool(let b), 0): builder.bool(b)
                case (.double(let d), 0): builder.double(d)
                default: builder.value(value)
                }
            }
            let built = arena.adopt(builder)
            #expect(Array(built) == Array(expected), "round \(round)")
            #expect(built.count == expected.count && built.isEmpty == builder.isEmpty)
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
