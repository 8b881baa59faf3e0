import Foundation
import ReliabilityLedger
import Testing
import TraceModel
@testable import TraceSources

/// Thousands of deterministic corruptions of real files, one class at a time, through
/// both decoders. Every corrupted OTLP record sits between two good lines, and both
/// must load; a corrupted line is counted at most once; nothing crashes or hangs.
/// Each class writes its row of the README's Reliability table.
@Suite struct HostileInputTests {
    enum Corruption: String, CaseIterable, Sendable {
        case truncation = "Truncated records"
        case bitFlips = "Bit flips"
        case insertDelete = "Bytes inserted and deleted"
        case typeSwaps = "Type swaps (string↔number, object↔array, quotes)"
        case deepNesting = "Deep nesting (60 to 10,000 levels)"
        case hugeNumbers = "Huge, tiny and non-numbers (1e999, 2^64, NaN, 400 digits)"
        case invalidUTF8 = "Invalid UTF-8 and lone surrogates"
        case nulBytes = "NUL bytes, raw and escaped"
    }

    static let otlpSeeds = ["otlp/opentelemetry-proto-examples-trace.json", "jaeger-uimodel/otel_traces_01.json"]
        .map { compact(Fixture.bytes($0)) }
        + Fixture.bytes("otlp/python-sdk-file-exporter.jsonl").split(separator: 0x0A).map(Array.init)
    static let documentSeeds = ["jaeger-storage-integration/span_tags_trace.json", "jaeger-query-api/trace_success.json",
                              "jaeger-uimodel/domain_01.json",
                              "jaeger-ui/components_TracePage_TraceStatistics_tableValuesTestTrace_spansAmongEachOther.json"]
        .map(Fixture.bytes)

    /// A pretty-printed document as one line, the way it would sit in a JSON Lines file.
    static func compact(_ bytes: [UInt8]) -> [UInt8] {
        bytes.filter { $0 != 0x0A && $0 != 0x0D }
    }

    static func good(_ name: String) -> String { otlpLine(trace: "600d", span: name == "before" ? "1" : "2", name: name) }

    @Test(arguments: Corruption.allCases)
    func corruptedRecordsAreCountedAndGoodLinesKept(_ corruption: Corruption) throws {
        var rng = DemoRandom(seed: 0xBAD0 &+ UInt64(Corruption.allCases.firstIndex(of: corruption)!))
        var cases = 0, handled = 0, lost = 0
        // OTLP JSON Lines: bad record between two good ones.
        for seed in Self.otlpSeeds {
            for _ in 0..<120 {
                let bad = Self.compact(Self.corrupt(seed, corruption, &rng))
                let input = Array((Self.good("before") + "\n").utf8) + bad + Array(("\n" + Self.good("after") + "\n").utf8)
                let loaded = FileLoader.load(bytes: input)
                let kept = loaded.spans.filter { $0.name == "before" || $0.name == "after" }.count
                lost += 2 - kept
                cases += 1
                if kept == 2, loaded.issues.count <= 1, loaded.issues.allSatisfy({ $0.line == 2 }) { handled += 1 } else {
                    Issue.record("\(corruption): kept \(kept) of 2 good lines, issues \(loaded.issues)")
                }
            }
        }
        // Whole documents (Jaeger's JSON model, pretty-printed OTLP), through the Jaeger
        // client's decoder and as files. Each is loaded, reported, or valid JSON with
        // nothing recognisable in it (unknown fields are ignored, as OTLP/JSON says).
        var reported = 0, loadedAnyway = 0, empty = 0
        for seed in Self.documentSeeds {
            for _ in 0..<120 {
                let bad = Self.corrupt(seed, corruption, &rng)
                cases += 1
                let decoded = try? JaegerJSONDecoder().decode(bad)
                let loaded = FileLoader.load(bytes: bad)
                if !loaded.issues.isEmpty {
                    reported += 1
                } else if !loaded.spans.isEmpty {
                    loadedAnyway += 1
                } else {
                    empty += 1
                }
                // What the client's decoder reads, a file of the same bytes reads too.
                if loaded.issues.isEmpty, let decoded, decoded.spans.count != loaded.spans.count {
                    Issue.record("\(corruption): the client decoded \(decoded.spans.count) spans, the file \(loaded.spans.count)")
                } else {
                    handled += 1
                }
            }
        }
        #expect(handled == cases, "\(corruption.rawValue): \(cases - handled) cases mishandled")
        #expect(lost == 0)
        let row = ReliabilityRow(area: "Decoders", kind: corruption.rawValue, cases: cases,
                                 outcome: ReliabilityRow.outcome(handled: handled, of: cases, goodSpansLost: lost)
                                     + "; documents: \(reported) reported, \(loadedAnyway) still loaded, \(empty) valid but empty",
                                 test: "HostileInputTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    /// Lines over the 64 MiB record limit are skipped as one counted issue, without
    /// holding them in memory, and the next line loads.
    @Test func oversizedLinesAreSkippedAndTheNextLineLoads() {
        var cases = 0, handled = 0, lost = 0
        let limit = RecordFramer().maxRecordBytes
        let open = Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":""#.utf8)
        for (size, endsFile) in [(limit + 1, false), (limit + (3 << 20), false), (limit + 10, true)] {
            var input = Array((Self.good("before") + "\n").utf8) + open
            input += [UInt8](repeating: UInt8(ascii: "x"), count: size - open.count)
            if !endsFile { input += Array(("\n" + Self.good("after") + "\n").utf8) }
            let loaded = FileLoader.load(bytes: input)
            let expected = endsFile ? ["before"] : ["before", "after"]
            let names = loaded.spans.map(\.name)
            lost += expected.filter { !names.contains($0) }.count
            cases += 1
            if names == expected, loaded.issues.count == 1, loaded.issues[0].line == 2 { handled += 1 }
        }
        #expect(handled == cases)
        let row = ReliabilityRow(area: "Decoders", kind: "Lines over the 64 MiB record limit", cases: cases,
                                 outcome: ReliabilityRow.outcome(handled: handled, of: cases, goodSpansLost: lost),
                                 test: "HostileInputTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    // MARK: corruptions

    static func corrupt(_ seed: [UInt8], _ corruption: Corruption, _ rng: inout DemoRandom) -> [UInt8] {
        var b = seed
        func at() -> Int { rng.below(b.count) }
        switch corruption {
        case .truncation:
            b = Array(b.prefix(at()))
        case .bitFlips:
            for _ in 0..<(1 + rng.below(8)) { let i = at(); b[i] ^= UInt8(1 << rng.below(8)) }
        case .insertDelete:
            for _ in 0..<(1 + rng.below(4)) {
                if rng.below(2) == 0 { b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at()) } else if b.count > 1 { b.remove(at: at()) }
            }
        case .typeSwaps:
            let swaps: [(String, String)] = [
                ("\"stringValue\"", "\"intValue\""), ("\"intValue\"", "\"boolValue\""), ("\"stringValue\"", "\"arrayValue\""),
                ("\"stringValue\"", "\"kvlistValue\""), ("\"", "'"), ("[", "{"), ("{", "["), (":", ","), ("\"1", "1"),
                ("\": \"", "\": "), ("\":\"", "\":"), ("true", "\"true\""), ("[", "null,["), ("{", "{\"x\":{},"),
                ("\"spans\"", "\"spans\":null,\"x\""), ("\"value\"", "\"value\":1,\"v\""),
            ]
            let (from, to) = swaps[rng.below(swaps.count)]
            b = replaceOne(b, Array(from.utf8), Array(to.utf8), &rng)
        case .deepNesting:
            let depth = [60, 64, 65, 100, 1_000, 10_000][rng.below(6)]
            let wrappers: [(String, String)] = [
                ("{\"arrayValue\":{\"values\":[", "]}}"),
                ("{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":", "}]}}"),
                ("[", "]"), ("{\"a\":", "}"),
            ]
            let (open, close) = wrappers[rng.below(wrappers.count)]
            let nested = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
            let targets = ["\"value\":", "\"value\": ", "\"tags\":", "\"scope\":", "\"attributes\":"]
            b = replaceOne(b, Array(targets[rng.below(targets.count)].utf8), Array((targets[0] + nested + ",\"v\":").utf8), &rng)
        case .hugeNumbers:
            let numbers = ["1e999", "-1e999", "99999999999999999999999999", "-9223372036854775809", "18446744073709551616",
                           "1e-400", "NaN", "Infinity", "-0", "0.0000000000000000000001", String(repeating: "9", count: 400),
                           "\"" + String(repeating: "7", count: 400) + "\"", "\"-1\"", "1.5e300"]
            b = replaceNumber(b, Array(numbers[rng.below(numbers.count)].utf8), &rng)
        case .invalidUTF8:
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
                                  [0x80], Array("\\ud800".utf8), Array("\\udc00\\ud800".utf8), Array("\\uZZZZ".utf8)]
            for _ in 0..<(1 + rng.below(3)) { b = insertInString(b, bad[rng.below(bad.count)], &rng) }
        case .nulBytes:
            for _ in 0..<(1 + rng.below(3)) {
                if rng.below(2) == 0 { b.insert(0, at: at()) } else { b = insertInString(b, Array("\\u0000".utf8), &rng) }
            }
        }
        return b
    }

    /// Replaces one occurrence (picked at random) of `from`.
    static func replaceOne(_ b: [UInt8], _ from: [UInt8], _ to: [UInt8], _ rng: inout DemoRandom) -> [UInt8] {
        var hits: [Int] = []
        if b.count >= from.count {
            for i in 0...(b.count - from.count) where b[i] == from[0] && Array(b[i..<(i + from.count)]) == from { hits.append(i) }
        }
        guard !hits.isEmpty else { return b }
        let i = hits[rng.below(hits.count)]
        return Array(b[..<i]) + to + Array(b[(i + from.count)...])
    }

    /// Replaces one number, or the digits of one numeric string, with `number`.
    static func replaceNumber(_ b: [UInt8], _ number: [UInt8], _ rng: inout DemoRandom) -> [UInt8] {
        var runs: [Range<Int>] = []
        var i = 0
        while i < b.count {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                let start = i
                while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
                runs.append(start..<i)
            } else {
                i += 1
            }
        }
        guard !runs.isEmpty else { return b }
        let r = runs[rng.below(runs.count)]
        return Array(b[..<r.lowerBound]) + number + Array(b[r.upperBound...])
    }

    /// Inserts bytes just after an opening quote, so they land inside a string.
    static func insertInString(_ b: [UInt8], _ bytes: [UInt8], _ rng: inout DemoRandom) -> [UInt8] {
        let quotes = b.indices.filter { b[$0] == UInt8(ascii: "\"") }
        guard !quotes.isEmpty else { return b + bytes }
        let q = quotes[rng.below(quotes.count)] + 1
        return Array(b[..<q]) + bytes + Array(b[q...])
    }
}
