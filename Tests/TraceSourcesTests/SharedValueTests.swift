import Foundation
import Testing
import TraceModel
@testable import TraceSources

/// String values the decoder stores by `AttributeStrings` number: they read back as the
/// same text, compare and hash equal to inline lists, take fewer bytes, and a key whose
/// values never repeat stops growing the shared table at its limit.
@Suite struct SharedValueTests {
    private func line(_ spans: [(id: Int, attributes: [(String, String)])]) -> String {
        let encoded = spans.map { span in
            let attributes = span.attributes.map { #"{"key":"\#($0.0)","value":{"stringValue":"\#($0.1)"}}"# }.joined(separator: ",")
            return #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"\#(String(format: "%016x", span.id + 1))","name":"op","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[\#(attributes)]}"#
        }
        return #"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"scope":{},"spans":[\#(encoded.joined(separator: ","))]}]}]}"#
    }

    @Test func repeatedValuesAreSharedAndReadBackAsInline() throws {
        let run = UUID().uuidString.prefix(8)
        let method = "test.\(run).method", agent = "test.\(run).agent"
        let userAgent = "Mozilla/5.0 (X11; Linux x86_64) \(run)"
        let spans = (0..<50).map { i in (id: i, attributes: [(method, i % 2 == 0 ? "GET" : "POST"), (agent, userAgent)]) }
        let decoded = try OTLPJSONDecoder().decode(line(spans)).spans
        #expect(decoded.count == 50)
        for (i, span) in decoded.enumerated() {
            let expected: [Attribute] = [Attribute(method, .string(i % 2 == 0 ? "GET" : "POST")), Attribute(agent, .string(userAgent))]
            #expect(Array(span.attributes) == expected)
            let inline = AttributeList(expected)
            #expect(span.attributes == inline && inline == span.attributes)
            #expect(span.attributes.hashValue == inline.hashValue)
            // Both values by number: a few bytes instead of 40-odd.
            #expect(span.attributes.packedSize < inline.packedSize - userAgent.utf8.count / 2)
        }
        #expect(decoded[0].attributes != decoded[1].attributes)
    }

    @Test func aKeyWhoseValuesNeverRepeatStopsAtItsLimit() throws {
        let run = UUID().uuidString.prefix(8)
        let key = "test.\(run).client.address", kept = "test.\(run).route"
        let n = AttributeStrings.perKeyLimit + 300
        let spans = (0..<n).map { i in (id: i, attributes: [(key, "10.\(i >> 16).\((i >> 8) & 255).\(i & 255)-\(run)"), (kept, "/api/users/{id}")]) }
        let decoder = OTLPJSONDecoder()
        var decoded: [Span] = []
        for chunk in stride(from: 0, to: n, by: 512) {
            decoded += try decoder.decode(line(Array(spans[chunk..<min(n, chunk + 512)]))).spans
        }
        #expect(decoded.count == n)
        for (i, span) in decoded.enumerated() {
            #expect(span.attributes[key: key] == .string(spans[i].attributes[0].1))
            #expect(span.attributes[key: kept] == .string("/api/users/{id}"))
        }
        // The key has numbered its limit: a new value of it is refused, while the other
        // key's values are still shared.
        let keyNumber = try #require(AttributeKeys.id(key))
        #expect(AttributeStrings.share("10.255.255.255-\(run)", key: keyNumber) == .keyFull)
        let lastList = decoded[n - 1].attributes, inlineLast = AttributeList(Array(lastList))
        let addressBytes = spans[n - 1].attributes[0].1.utf8.count
        // The address inline, the route by number.
        #expect(lastList.packedSize >= addressBytes && lastList.packedSize < inlineLast.packedSize)
    }

    /// Asked by bytes (as the decoder asks) or by text, a value gets one number; bytes
    /// that are not valid UTF-8 are never numbered (their text would not match them).
    @Test func bytesAndTextShareOneNumber() {
        let text = "value \(UUID()) é"
        let byText = AttributeStrings.share(text, key: 0)
        let byBytes = Array(text.utf8).withUnsafeBytes { AttributeStrings.share(bytes: $0, key: 0) }
        #expect(byText == byBytes)
        guard case .shared(let id) = byBytes else { Issue.record("not shared"); return }
        #expect(AttributeStrings.value(id) == text)
        let again = Array(text.utf8).withUnsafeBytes { AttributeStrings.share(bytes: $0, key: 1) }
        #expect(again == byBytes)
        let invalid: [UInt8] = Array("bad \(UUID()) ".utf8) + [0xFF, 0x41]
        #expect(invalid.withUnsafeBytes { AttributeStrings.share(bytes: $0, key: 0) } == .inline)
    }

    @Test func longValuesStayInline() {
        let long = String(repeating: "x", count: AttributeStrings.maxLength + 1)
        #expect(AttributeStrings.share(long, key: 0) == .inline)
        if case .shared(let id) = AttributeStrings.share("short value \(UUID())", key: 0) {
            #expect(AttributeStrings.value(id).hasPrefix("short value "))
        } else {
            Issue.record("a short value was not shared")
        }
    }
}
