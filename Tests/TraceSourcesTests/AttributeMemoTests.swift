import Foundation
import Testing
import TraceModel
@testable import TraceSources

/// The decoder tries what each attribute position held last time before reading it
/// (`AttributeMemo`): the very same bytes, or the same key and type with a new value.
/// Attributes drawn from small pools repeat both ways, so these lines take every path —
/// whole repeats, new values after a known prefix, a type that changes under a key, a
/// value that needs the general path (escapes, nesting, spaces), long attributes that
/// are not kept — and each decodes to what was written.
@Suite struct AttributeMemoTests {
    private struct Pool {
        /// Deterministic, so a failure names a reproducible seed.
        var rng: DemoRandom
        let keys = ["http.request.method", "url.scheme", "k", "thread.id", "app.flags", "a.really.long.attribute.key.that.keeps.going"]

        mutating func value() -> (json: String, value: AttributeValue) {
            switch rng.next() % 11 {
            case 0: return (#"{"stringValue":"GET"}"#, .string("GET"))
            case 1: return (#"{"stringValue":"POST"}"#, .string("POST"))
            case 2:
                let n = rng.next() % 5
                return (#"{"stringValue":"v\#(n)"}"#, .string("v\(n)"))
            case 3: return (#"{"stringValue":"quote \"q\" \u00e9"}"#, .string("quote \"q\" é"))
            case 4:
                let i = Int64(rng.next() % 4) - 1
                return (#"{"intValue":"\#(i)"}"#, .int(i))
            case 5:
                let b = rng.next() % 2 == 0
                return (#"{"boolValue":\#(b)}"#, .bool(b))
            case 6:
                let d = Double(rng.next() % 3) / 4
                return (#"{"doubleValue":\#(d)}"#, .double(d))
            case 7: return (#"{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"2"}]}}"#, .array([.string("x"), .int(2)]))
            case 8: return (#"{"kvlistValue":{"values":[{"key":"in","value":{"boolValue":true}}]}}"#, .keyValueList([Attribute("in", .bool(true))]))
            case 9:
                let long = String(repeating: "z", count: 90 + Int(rng.next() % 40))
                return (#"{"stringValue":"\#(long)"}"#, .string(long))
            default: return (#"{ "stringValue" : "spaced" }"#, .string("spaced"))
            }
        }
    }

    @Test(arguments: [1, 2, 3]) func repeatedAttributesDecodeAsWritten(seed: UInt64) throws {
        var pool = Pool(rng: DemoRandom(seed: seed))
        var lines: [String] = []
        var expected: [[Attribute]] = []
        for _ in 0..<40 {
            var spans: [String] = []
            for s in 0..<30 {
                var attributes: [Attribute] = []
                var json: [String] = []
                // Mostly the same key order span after span, sometimes shuffled.
                var keys = pool.keys
                if pool.rng.below(4) == 0 {
                    for i in stride(from: keys.count - 1, to: 0, by: -1) { keys.swapAt(i, pool.rng.below(i + 1)) }
                }
                for key in keys.prefix(1 + Int(pool.rng.next() % UInt64(keys.count))) {
                    let (text, value) = pool.value()
                    attributes.append(Attribute(key, value))
                    json.append(#"{"key":"\#(key)","value":\#(text)}"#)
                }
                expected.append(attributes)
                let id = String(format: "%016x", lines.count * 100 + s + 1)
                spans.append(#"{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"\#(id)","name":"s\#(s % 3)","attributes":[\#(json.joined(separator: ","))]}"#)
            }
            lines.append(#"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#)
        }
        let decoder = OTLPJSONDecoder()
        var decoded: [[Attribute]] = []
        for line in lines {
            decoded += try decoder.decode(line).spans.map { Array($0.attributes) }
        }
        #expect(decoded.count == expected.count)
        for (n, (got, want)) in zip(decoded, expected).enumerated() where got != want {
            Issue.record("span \(n) (seed \(seed)): \(got) != \(want)")
            break
        }
    }

    /// A position's kept prefix followed by a value that does not read: the general
    /// path reads the attribute, or reports the line, as without the memo.
    @Test func aKnownPrefixBeforeABadValueIsReadTheLongWay() throws {
        let decoder = OTLPJSONDecoder()
        func line(_ value: String) -> String {
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"s","attributes":[{"key":"n","value":{"intValue":\#(value)}}]}]}]}]}"#
        }
        #expect(Array(try decoder.decode(line(#""1""#)).spans[0].attributes) == [Attribute("n", .int(1))])
        #expect(Array(try decoder.decode(line(#""2""#)).spans[0].attributes) == [Attribute("n", .int(2))])
        // Spaces after the prefix: not the compact form, read by the general path.
        #expect(Array(try decoder.decode(line(#" "3""#)).spans[0].attributes) == [Attribute("n", .int(3))])
        #expect(throws: JSONError.self) { try decoder.decode(line(#""x""#)) }
        #expect(Array(try decoder.decode(line(#""4""#)).spans[0].attributes) == [Attribute("n", .int(4))])
    }

    /// A key whose value is new span after span stops having its values kept, and
    /// keeps its prefix; a repeat later is still read right, and after 256 reads its
    /// values are kept again for a few.
    @Test func aPositionWhoseValuesKeepChangingKeepsOnlyItsPrefix() throws {
        let decoder = OTLPJSONDecoder()
        func line(_ values: [String]) -> String {
            let spans = values.enumerated().map { i, v in
                #"{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"\#(String(format: "%016x", i + 1))","name":"s","attributes":[{"key":"m","value":{"stringValue":"GET"}},{"key":"addr","value":{"stringValue":"\#(v)"}}]}"#
            }
            return #"{"resourceSpans":[{"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
        }
        // New for 300 reads, then the same for 20, then new, then alternating.
        let values = (0..<300).map { "10.0.\($0 / 256).\($0 % 256)" } + Array(repeating: "same", count: 20)
            + (0..<40).map { "late-\($0)" } + (0..<40).map { $0 % 2 == 0 ? "a" : "b" }
        let spans = try decoder.decode(line(values)).spans
        #expect(spans.map { $0.attributes[key: "addr"]?.stringValue } == values)
        #expect(spans.allSatisfy { $0.attributes[key: "m"]?.stringValue == "GET" })

        // The memo's own states: four new values in a row stop the whole comparison.
        let memo = AttributeMemo()
        let slot = memo.slot(after: 7)
        let input = Array(#"{"key":"addr","value":{"stringValue":"x"}}"#.utf8), output: [UInt8] = [1, 2, 3]
        func remember() {
            input.withUnsafeBytes { i in
                output.withUnsafeBytes { o in
                    slot.remember(input: i, output: o, prefixCount: input.count - 4, keyOutputCount: 1, kind: .string,
                                  keyEntry: 7, keyID: 1, changes: slot.changes)
                }
            }
        }
        remember()
        #expect(slot.inputCount == input.count && slot.changes == 0)
        var kept = 0
        for _ in 0..<255 where slot.valueChanged() {
            kept += 1
            remember()
        }
        // Kept for the first three, not again until the count wraps round at the 256th.
        #expect(kept == 3)
        #expect(slot.inputCount == 0 && slot.prefixCount == input.count - 4 && slot.kind == .string)
        #expect(slot.valueChanged())
        remember()
        #expect(slot.inputCount == input.count)
        slot.repeated()
        #expect(slot.changes == 0)
    }
}
