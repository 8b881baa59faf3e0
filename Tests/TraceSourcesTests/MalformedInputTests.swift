import Foundation
import Testing
import TraceModel
@testable import TraceSources

@Suite struct MalformedInputTests {
    static let bad: [(String, String)] = [
        ("garbage", "this is not json"),
        ("truncated", #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"#),
        ("wrong type", #"{"resourceSpans":{"not":"an array"}}"#),
        ("wrong scalar type", #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","startTimeUnixNano":true}]}]}]}"#),
        ("huge int", #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","attributes":[{"key":"k","value":{"intValue":"99999999999999999999999"}}]}]}]}]}"#),
        ("huge time", #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","startTimeUnixNano":"18446744073709551616"}]}]}]}"#),
        ("binary junk", "\u{00}\u{01}\u{FF}\u{7F}\u{1B}[2J"),
        ("trailing data", #"{"resourceSpans":[]} {"#),
        ("deep nesting", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"01\",\"spanId\":\"02\",\"attributes\":[{\"key\":\"k\",\"value\":"
            + String(repeating: "{\"arrayValue\":{\"values\":[", count: 200) + String(repeating: "]}}", count: 200) + "}]}]}]}]}"),
        ("bare array", "[1,2,3]"),
        ("invalid escape", #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"\q"}]}]}]}"#),
        ("missing comma", #"{"resourceSpans":[] "x":1}"#),
    ]

    @Test(arguments: bad.map(\.0))
    func eachBadLineIsCountedAndItsNeighboursLoad(_ kind: String) {
        let badLine = Self.bad.first { $0.0 == kind }!.1
        let text = otlpLine(trace: "a", span: "1", name: "before") + "\n" + badLine + "\n"
            + otlpLine(trace: "a", span: "2", name: "after") + "\n"
        let loaded = FileLoader.load(bytes: Array(text.utf8))
        #expect(loaded.spans.map(\.name) == ["before", "after"], "\(kind)")
        #expect(loaded.issues.count == 1, "\(kind): \(loaded.issues)")
        #expect(loaded.issues.first?.line == 2)
    }

    /// A record that fails after some of its spans were read adds none of them, also
    /// when it is decoded onto a batch that already holds other records' spans.
    @Test func aRecordThatFailsLateAddsNoneOfItsSpans() {
        let late = [otlpLine(trace: "a", span: "3", name: "inside") + " x",
                    String(otlpLine(trace: "a", span: "4", name: "cut").dropLast(3))]
        for bad in late {
            let text = otlpLine(trace: "a", span: "1", name: "before") + "\n" + bad + "\n" + otlpLine(trace: "a", span: "2", name: "after") + "\n"
            let loaded = FileLoader.load(bytes: Array(text.utf8))
            #expect(loaded.spans.map(\.name) == ["before", "after"])
            #expect(loaded.issues.map(\.line) == [2])
            var spans = [Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: "held", startTime: 0, endTime: 1)]
            #expect(throws: JSONError.self) { try bad.utf8CString.withUnsafeBytes { raw in
                try OTLPJSONDecoder().decode(UnsafeRawBufferPointer(rebasing: raw.dropLast()), appendingTo: &spans)
            } }
            #expect(spans.map(\.name) == ["held"])
        }
    }

    @Test func emptyAndWhitespaceFiles() {
        #expect(FileLoader.load(bytes: []).spans.isEmpty)
        #expect(FileLoader.load(bytes: []).issues.isEmpty)
        #expect(FileLoader.load(bytes: Array("\n\n  \n".utf8)).issues.isEmpty)
    }

    @Test func invalidUTF8IsRepairedNotFatal() {
        var bytes = Array(otlpLine(trace: "a", span: "1", name: "nameXX").utf8)
        let i = bytes.firstIndex(of: UInt8(ascii: "X"))!
        bytes[i] = 0xFF
        bytes[i + 1] = 0xC0
        let loaded = FileLoader.load(bytes: bytes)
        #expect(loaded.issues.isEmpty)
        #expect(loaded.spans.first?.name.hasPrefix("name") == true)
    }

    @Test func unreadablePathsGiveClearErrors() {
        #expect(throws: FileSourceError.self) { try FileLoader.load(path: "/definitely/not/here.jsonl") }
        #expect(throws: FileSourceError.self) { try FileLoader.load(path: NSTemporaryDirectory()) }
    }

    /// Deterministic mutation fuzzing over real files: truncation, bit flips, byte
    /// insertions and deletions, type swaps. No crash, no hang, good lines kept.
    @Test func mutatedRealFilesNeverCrashAndKeepGoodLines() throws {
        var rng = DemoRandom(seed: 0x5EED)
        let sources = ["otlp/python-sdk-file-exporter.jsonl", "jaeger-storage-integration/span_tags_trace.json",
                       "otlp/opentelemetry-proto-examples-trace.json", "jaeger-uimodel/otel_traces_01.json"]
        let good = otlpLine(trace: "feed", span: "1", name: "sentinel")
        var cases = 0
        for name in sources {
            let original = Fixture.bytes(name)
            let compact = FileLoader.load(bytes: original)
            for _ in 0..<400 {
                var bytes = original
                switch rng.next() % 6 {
                case 0: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
                case 1: for _ in 0..<4 { let i = Int(rng.next() % UInt64(bytes.count)); bytes[i] ^= UInt8(1 << (rng.next() % 8)) }
                case 2: bytes.insert(UInt8(rng.next() % 256), at: Int(rng.next() % UInt64(bytes.count)))
                case 3: bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
                case 4:
                    let swaps: [(String, String)] = [("\"stringValue\"", "\"intValue\""), ("\"", "'"), ("[", "{"), (":", ","), ("\"1", "\"-")]
                    let (a, b) = swaps[Int(rng.next() % UInt64(swaps.count))]
                    bytes = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: a, with: b).utf8)
                default: bytes.insert(0, at: Int(rng.next() % UInt64(bytes.count)))
                }
                // Mutated record first, then a known-good line that must survive.
                let input = bytes.filter { $0 != 0x0A } + [0x0A] + Array(good.utf8) + [0x0A]
                let loaded = FileLoader.load(bytes: input)
                #expect(loaded.spans.contains { $0.name == "sentinel" })
                #expect(loaded.spans.count <= compact.spans.count + 1)
                cases += 1
            }
        }
        #expect(cases == 1600)
    }
}
