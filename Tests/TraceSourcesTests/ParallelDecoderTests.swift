import Foundation
import ReliabilityLedger
import Testing
import TraceModel
@testable import TraceSources

/// Parallel decoding must give exactly what sequential decoding gives: the same spans in
/// the same order, the same issues on the same lines, across chunk boundaries.
@Suite struct ParallelDecoderTests {
    /// Spans of every shape the encoder writes, from the real fixtures.
    func fixtureSpans() throws -> [Span] {
        try FileLoader.load(path: Fixture.path("otlp/python-sdk-file-exporter.jsonl"), workers: 1).spans
            + FileLoader.load(path: Fixture.path("otlp/opentelemetry-proto-examples-trace.json"), workers: 1).spans
    }

    @Test func encoderRoundTripsEveryField() throws {
        var spans = try fixtureSpans()
        // Values the fixtures lack: escapes, controls, non-finite doubles, bytes, nesting.
        spans.append(Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentSpanID: SpanID(4), name: "quote \" back \\ nl \n tab \t \u{1} é 漢",
                          kind: .consumer, startTime: 5, endTime: 6, status: SpanStatus(code: .error, message: "bad\u{7f}"),
                          attributes: [Attribute("nan", .double(.nan)), Attribute("inf", .double(-.infinity)), Attribute("bytes", .bytes([0, 255, 7])),
                                       Attribute("nest", .keyValueList([Attribute("a", .array([.int(-1), .bool(false), .empty, .double(0.25)]))]))],
                          events: [SpanEvent(time: 7, name: "e", attributes: [Attribute("k", .string("v"))])],
                          links: [SpanLink(traceID: TraceID(high: 9, low: 9), spanID: SpanID(9), attributes: [Attribute("l", .int(1))])],
                          resource: Resource(serviceName: "svc"), scope: InstrumentationScope(name: "lib", version: "1.0"), flags: 257, traceState: "a=b"))
        let line = OTLPJSONEncoder.line(spans)
        let decoded = FileLoader.load(bytes: line)
        #expect(decoded.issues.isEmpty)
        #expect(decoded.spans.count == spans.count)
        for (a, b) in zip(spans, decoded.spans) {
            #expect(a.traceID == b.traceID && a.spanID == b.spanID && a.parentSpanID == b.parentSpanID)
            #expect(a.name == b.name && a.kind == b.kind && a.startTime == b.startTime && a.endTime == b.endTime)
            #expect(a.status == b.status && a.events == b.events && a.links == b.links && a.flags == b.flags && a.traceState == b.traceState)
            #expect(a.resource.serviceName == b.resource.serviceName && a.scope == b.scope)
            #expect(a.attributes.count == b.attributes.count)
            for (x, y) in zip(a.attributes, b.attributes) {
                if case .double(let d) = x.value, d.isNaN {
                    guard case .double(let e) = y.value else { Issue.record("NaN lost"); continue }
                    #expect(e.isNaN)
                } else {
                    #expect(x == y)
                }
            }
        }
    }

    /// Line `i` of a test file: one to four fixture spans, with span ids unique to it.
    private func appendLine(_ i: Int, of spans: [Span], to bytes: inout [UInt8]) {
        var batch = Array(spans[(i % spans.count)...].prefix(1 + i % 4))
        for k in batch.indices { batch[k].spanID = SpanID(UInt64(i * 10 + k + 1)) }
        OTLPJSONEncoder.appendLine(batch, to: &bytes)
    }

    /// A file of many lines with bad ones among them, decoded with 1 and 3 workers and
    /// small chunks so records straddle chunk boundaries, from mapped windows of the
    /// file and from buffers it is read into.
    @Test(arguments: [512, 4096, 1 << 16], [true, false]) func parallelEqualsSequential(chunk: Int, mapping: Bool) throws {
        let spans = try fixtureSpans()
        var bytes: [UInt8] = []
        var expectedBadLines: [Int] = []
        for i in 0..<300 {
            if i % 37 == 5 {
                bytes += Array("{\"resourceSpans\": [ {\"broken\n".utf8)
                expectedBadLines.append(i + 1)
                continue
            }
            appendLine(i, of: spans, to: &bytes)
        }
        let path = tempPath("parallel.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }

        // The reference: the whole file through one framer, as a pipe is read.
        var whole = RecordFramer()
        let sequential = RecordDecoder().decode(whole.feed(bytes) + whole.finish())
        #expect(sequential.issues.map(\.line) == expectedBadLines)

        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(ParallelDecoder.looksLikeJSONLines(fd: fd))
        // Three workers, and one: chunks decoded on the calling thread.
        for workers in [3, 1] {
            var unshared = true
            var parallel: [Span] = []
            var issues: [DecodeIssue] = []
            var progress: [Int64] = []
            let outcome = ParallelDecoder.decode(fd: fd, limit: Int64(bytes.count), workers: workers, chunkBytes: chunk,
                                                 mapping: mapping) { result, done in
                // Handed over alone: a shared list would be copied, span by span, by the
                // store taking it (a mutable view of a shared array is a new array).
                let held = result.spans.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
                let mutable = result.spans.withUnsafeMutableBufferPointer { UnsafeRawPointer($0.baseAddress) }
                if !result.spans.isEmpty && mutable != held { unshared = false }
                parallel += result.spans
                issues += result.issues
                progress.append(done)
                return true
            }
            // The rest (none, when the last line is whole) is read sequentially, from the line it names.
            var framer = RecordFramer(firstLine: outcome.nextLine)
            let rest = Array(bytes[Int(outcome.consumed)...])
            let tail = RecordDecoder().decode(framer.feed(rest) + framer.finish())
            parallel += tail.spans
            issues += tail.issues
            #expect(parallel.map(\.spanID) == sequential.spans.map(\.spanID), "\(workers) workers")
            #expect(issues.map(\.line) == expectedBadLines, "\(workers) workers")
            #expect(progress == progress.sorted() && (progress.last ?? 0) <= Int64(bytes.count))
            #expect(unshared, "\(workers) workers")
        }
        for workers in [1, 2] {
            let loaded = try FileLoader.load(path: path, workers: workers)
            #expect(loaded.spans.map(\.spanID) == sequential.spans.map(\.spanID))
            #expect(loaded.issues.map(\.line) == expectedBadLines)
        }
    }

    /// On two threads the chunks shrink toward the file's end (where one thread waits
    /// for the other), every span still arriving once and in order; a stop ends the
    /// cutting, and the outcome's line number is the one at the bytes it consumed.
    @Test(arguments: [true, false]) func chunksShrinkTowardTheEndAndAStopEndsTheCut(mapping: Bool) throws {
        let spans = try fixtureSpans()
        var bytes: [UInt8] = []
        for i in 0..<400 { appendLine(i, of: spans, to: &bytes) }
        let path = tempPath("shrinking-chunks.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let chunk = 16 << 10
        var sequential = RecordFramer()
        let expected = RecordDecoder().decode(sequential.feed(bytes) + sequential.finish()).spans.map(\.spanID)

        var progress: [Int64] = [0]
        var ids: [SpanID] = []
        let outcome = ParallelDecoder.decode(fd: fd, limit: Int64(bytes.count), workers: 2, chunkBytes: chunk, mapping: mapping) { r, done in
            progress.append(done)
            ids += r.spans.map(\.spanID)
            return true
        }
        #expect(outcome.consumed == Int64(bytes.count) && ids == expected)
        let sizes = zip(progress.dropFirst(), progress).map { Int($0 - $1) }
        #expect(sizes.count > 8)
        #expect(sizes.first! >= chunk / 2 && sizes.last! <= chunk / 2, "\(sizes)")

        // Stopped after the third result: what was delivered is a prefix of the file's
        // spans, and the line number names the line at `consumed`.
        var delivered: [SpanID] = []
        var results = 0
        let stopped = ParallelDecoder.decode(fd: fd, limit: Int64(bytes.count), workers: 2, chunkBytes: chunk, mapping: mapping) { r, _ in
            delivered += r.spans.map(\.spanID)
            results += 1
            return results < 3
        }
        #expect(results == 3 && delivered == Array(expected.prefix(delivered.count)))
        #expect(stopped.consumed < Int64(bytes.count))
        let linesBefore = bytes[..<Int(stopped.consumed)].filter { $0 == 0x0A }.count
        #expect(stopped.nextLine == linesBefore + 1)
    }

    /// A mapped window of a file that then shrinks: the pages past the file's new end
    /// read as zeros instead of killing the process with SIGBUS, and the window says so.
    @Test func aMappedWindowOfAShrunkFileReadsAsZeros() throws {
        let line = Array(#"{"resourceSpans":[]}"#.utf8) + [0x0A]
        let bytes = Array([[UInt8]](repeating: line, count: 4000).joined())
        let path = tempPath("shrunk.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        var unmappable = false
        let window = try #require(MappedFileWindow.map(fd: fd, at: 100, size: 60_000, limit: Int64(bytes.count),
                                                       maxRecordBytes: 1 << 20, unmappable: &unmappable))
        #expect(!unmappable && !window.wasCutShort)
        #expect(Array(window.bytes.prefix(200)) == Array(bytes[100..<300]))
        ftruncate(fd, 8192)
        // Bytes still in the file read as they are; the rest as zeros, page by page.
        let inFile = 8192 - 100
        #expect(Array(window.bytes.prefix(inFile)) == Array(bytes[100..<8192]))
        #expect(window.bytes[inFile...].allSatisfy { $0 == 0 })
        #expect(window.wasCutShort)
    }

    /// A small file stays mapped whole to the end of its load (dropping pages while
    /// another thread runs costs that thread a TLB flush); a larger one gives each
    /// window's pages back once it is decoded, so what the load holds stays small.
    @Test func decodedWindowsOfALargeFileGiveTheirPagesBack() throws {
        // 64 KiB of whole lines, written again and again.
        let line = Array(#"{"resourceSpans":[]}"#.utf8) + [0x0A]
        let block = Data(Array([[UInt8]](repeating: line, count: (64 << 10) / line.count).joined()))
        for (blocks, dropped) in [(64, false), (320, true)] {
            let size = Int64(block.count * blocks)
            #expect((size > MappedFile.keptWholeBytes) == dropped)
            let path = tempPath("pages.jsonl")
            #expect(FileManager.default.createFile(atPath: path, contents: nil))
            defer { unlink(path) }
            let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            for _ in 0..<blocks { writer.write(block) }
            try writer.close()
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            let file = try #require(MappedFile(fd: fd, limit: size))
            var unmappable = false
            let window = try #require(file.window(at: 1 << 20, size: 2 << 20, limit: size,
                                                  maxRecordBytes: 1 << 20, unmappable: &unmappable))
            // Read a byte a page, as the decoder would read them all.
            #expect(stride(from: 0, to: window.bytes.count, by: 4096).reduce(0) { $0 &+ Int(window.bytes[$1]) } > 0)
            let touched = residentKiB(window.bytes)
            #expect(touched >= 1900, "\(touched) KiB resident after reading 2 MiB")
            window.decoded()
            let after = residentKiB(window.bytes)
            // Dropped: what is left are pages the kernel mapped around the ones read
            // (it maps up to 64 KiB about each fault), outside the window.
            #expect(dropped ? after <= 128 : after == touched, "\(after) KiB resident after decoding")
        }
    }

    /// Resident KiB of the mappings over `range` (/proc/self/smaps).
    private func residentKiB(_ range: UnsafeRawBufferPointer) -> Int {
        let low = UInt(bitPattern: range.baseAddress), high = low + UInt(range.count)
        // Read to its end by hand: /proc files have no size for Foundation to go by.
        let fd = open("/proc/self/smaps", O_RDONLY)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        var data: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 1 << 16)
        while case let n = buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }), n > 0 { data += buffer[0..<n] }
        let smaps = String(decoding: data, as: UTF8.self)
        var total = 0, overlapping = false
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), !first.hasSuffix(":") {
                let bounds = first.split(separator: "-").compactMap { UInt($0, radix: 16) }
                overlapping = bounds.count == 2 && bounds[0] < high && bounds[1] > low
            } else if overlapping, fields.first == "Rss:", fields.count >= 2, let kib = Int(fields[1]) {
                total += kib
            }
        }
        return total
    }

    /// A file cut short while the catch-up decodes it: nothing crashes, what was decoded
    /// before stays, and the catch-up stops where the bytes ran out (the sequential
    /// reader then sees the truncation, as for any file it reads).
    @Test func aFileTruncatedDuringTheCatchUpIsNotFatal() throws {
        let spans = try fixtureSpans()
        var bytes: [UInt8] = []
        for i in 0..<3000 {
            appendLine(i, of: spans, to: &bytes)
        }
        let path = tempPath("shrinking.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        var delivered = 0, spanCount = 0, issues = 0
        let outcome = ParallelDecoder.decode(fd: fd, limit: Int64(bytes.count), workers: 2, chunkBytes: 8192) { result, _ in
            delivered += 1
            spanCount += result.spans.count
            // The zeros past the cut are not bad records.
            issues += result.issues.count
            // After the first chunk, the file loses all but its first page.
            if delivered == 1 { ftruncate(fd, 4096) }
            return true
        }
        #expect(spanCount > 0 && issues == 0)
        // Stopped well before the old end: at most the chunks already queued were read.
        #expect(outcome.consumed < Int64(bytes.count) / 2)
        #expect(try FileLoader.load(path: path, workers: 2).spans.count <= spanCount)

        // A window the cut falls in, decoded: the spans before the cut, no bad records,
        // and the shrink said.
        var cutBytes: [UInt8] = []
        for i in 0..<400 { appendLine(i, of: spans, to: &cutBytes) }
        let keep = 40 * 4096
        try #require(cutBytes.count > 2 * keep)
        try Data(cutBytes).write(to: URL(fileURLWithPath: path))
        var unmappable = false
        let window = try #require(MappedFileWindow.map(fd: fd, at: 0, size: cutBytes.count, limit: Int64(cutBytes.count),
                                                       maxRecordBytes: 1 << 20, unmappable: &unmappable))
        ftruncate(fd, off_t(keep))
        let cut = ParallelDecoder.decodeChunk(.mapped(window), with: RecordDecoder()).0
        let whole = cutBytes[..<keep].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        var reference = RecordFramer()
        let before = RecordDecoder().decode(reference.feed(Array(whole.joined(separator: [0x0A]) + [0x0A]))).spans.count
        #expect(cut.fileShrank && cut.issues.isEmpty && cut.spans.count == before && before > 0)

        let ok = spanCount > 0 && outcome.consumed < Int64(bytes.count) / 2 && issues == 0
            && cut.fileShrank && cut.issues.isEmpty && cut.spans.count == before
        let row = ReliabilityRow(area: "Files", kind: "Truncated while a big file loads (read through mapped windows)", cases: 2,
                                 outcome: ok ? "no SIGBUS crash: pages past the new end read as zeros and are dropped, not counted as bad records; spans decoded before kept" : "NOT handled",
                                 test: "ParallelDecoderTests")
        #expect(ReliabilityLedger.check(row) == nil)
    }

    /// Whether a file is JSON Lines is judged by its first line, however long (a batch
    /// of 512 spans is half a megabyte): read in pieces, its two ends decide.
    @Test func aLongFirstLineIsJudgedByItsEnds() throws {
        let long = #"{"resourceSpans":[{"scopeSpans":[{"spans":[]}],"pad":""# + String(repeating: "x", count: 200_000) + #""}]}"#
        let cases: [(String, Bool)] = [
            ("  " + long + "  \n" + long + "\n", true),
            (long + "\n", true),
            // An opener or separator at the end: the record goes on (a pretty document).
            (String(long.dropLast(2)) + ",\n" + "]}\n", false),
            ("{\n  \"resourceSpans\": []\n}\n", false),
            ("[" + long + "]\n", false),
            // No newline within the limit: not one line.
            (long, false),
        ]
        for (n, (text, expected)) in cases.enumerated() {
            let path = tempPath("first-line-\(n).jsonl")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            defer { unlink(path) }
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            #expect(ParallelDecoder.looksLikeJSONLines(fd: fd, maxRecordBytes: 1 << 20) == expected, "case \(n)")
        }
    }

    /// Where a chunk is cut: the last newline followed by `{` or `[`, as a byte-by-byte
    /// backward scan finds it, on random text of newlines, openers and filler.
    @Test func chunkCutMatchesAByteByByteScan() {
        var rng = DemoRandom(seed: 0xC07)
        let alphabet: [UInt8] = Array("\n{[x\"}".utf8)
        func naive(_ b: ArraySlice<UInt8>) -> Int? {
            var i = b.endIndex - 1
            while i > b.startIndex {
                if b[i - 1] == 0x0A && (b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "[")) { return i }
                i -= 1
            }
            return nil
        }
        var found = 0
        for _ in 0..<3000 {
            let bytes = (0..<rng.below(40)).map { _ in alphabet[rng.below(alphabet.count)] }
            let from = bytes.isEmpty ? 0 : rng.below(bytes.count)
            let slice = bytes[from...]
            #expect(ParallelDecoder.lastRecordStart(slice) == naive(slice), "\(bytes) from \(from)")
            // The scan used where the libc has no memrchr.
            #expect(slice.withUnsafeBytes { ParallelDecoder.scanForLastRecordStart($0) }.map { from + $0 } == naive(slice))
            if naive(slice) != nil { found += 1 }
        }
        #expect(found > 500)
    }

    @Test func prettyDocumentsAndHalfLinesStaySequential() throws {
        let pretty = tempPath("pretty.json")
        try String(contentsOfFile: Fixture.path("otlp/opentelemetry-proto-examples-trace.json"), encoding: .utf8)
            .write(toFile: pretty, atomically: true, encoding: .utf8)
        defer { unlink(pretty) }
        let fd = open(pretty, O_RDONLY)
        #expect(!ParallelDecoder.looksLikeJSONLines(fd: fd))
        close(fd)
        #expect(try FileLoader.load(path: pretty, workers: 2).spans.count == FileLoader.load(path: pretty, workers: 1).spans.count)

        // A half-written last line is never handed to a worker.
        let spans = try fixtureSpans()
        var bytes: [UInt8] = []
        for _ in 0..<50 { OTLPJSONEncoder.appendLine(spans, to: &bytes) }
        let complete = bytes.count
        OTLPJSONEncoder.appendLine(spans, to: &bytes)
        bytes.removeLast(40)
        let path = tempPath("half.jsonl")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        let hfd = open(path, O_RDONLY)
        defer { close(hfd) }
        var issues = 0
        let outcome = ParallelDecoder.decode(fd: hfd, limit: Int64(bytes.count), workers: 2, chunkBytes: 2048) { r, _ in
            issues += r.issues.count
            return true
        }
        #expect(issues == 0)
        #expect(outcome.consumed <= Int64(complete))
    }

    /// A file whose last line is whole is decoded to its end by the workers, mapped or
    /// read; a last line that is cut short, or opens a pretty-printed document, is left
    /// to the sequential reader.
    @Test(arguments: [true, false]) func aWholeLastLineIsDecodedByTheWorkers(mapping: Bool) throws {
        let spans = try fixtureSpans()
        var whole: [UInt8] = []
        for _ in 0..<40 { OTLPJSONEncoder.appendLine(spans, to: &whole) }
        let lastLineStart = try #require(whole.dropLast().lastIndex(of: 0x0A)) + 1
        let cases: [(name: String, bytes: [UInt8], consumed: Int)] = [
            ("whole", whole, whole.count),
            ("whole, CRLF and spaces", Array(whole.dropLast()) + Array("  \r\n".utf8), whole.count + 3),
            ("cut short", Array(whole.dropLast(30)), lastLineStart),
            ("no newline yet", Array(whole.dropLast()), lastLineStart),
            ("a document's first line", whole + Array("{\"resourceSpans\": [\n".utf8), whole.count),
        ]
        for c in cases {
            let path = tempPath("last-line.jsonl")
            #expect(FileManager.default.createFile(atPath: path, contents: Data(c.bytes)))
            defer { unlink(path) }
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var decoded = 0
            let outcome = ParallelDecoder.decode(fd: fd, limit: Int64(c.bytes.count), workers: 2, chunkBytes: 4096,
                                                 mapping: mapping) { r, _ in
                decoded += r.spans.count
                return true
            }
            #expect(outcome.consumed == Int64(c.consumed), "\(c.name)")
            #expect(decoded == spans.count * (c.consumed == lastLineStart ? 39 : 40), "\(c.name)")
        }
        // One line, the whole file: the workers take it too.
        var one: [UInt8] = []
        OTLPJSONEncoder.appendLine(spans, to: &one)
        one.withUnsafeBytes { raw in
            #expect(ParallelDecoder.wholeRecordsEnd(raw, reachesFileEnd: true) == raw.count)
            #expect(ParallelDecoder.wholeRecordsEnd(raw, reachesFileEnd: false) == nil)
        }
    }
}
