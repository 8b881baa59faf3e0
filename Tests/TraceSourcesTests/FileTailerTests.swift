import Foundation
import ReliabilityLedger
import Testing
import TraceModel
@testable import TraceSources

@Suite(.serialized) struct FileTailerTests {
    private func ids(_ c: Collector) -> [String] { c.spans.map(\.name) }

    private func fileRow(_ kind: String, ok: Bool, spans: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let row = ReliabilityRow(area: "Files", kind: kind, cases: 1,
                                 outcome: ok ? "every span read exactly once (\(spans) of \(spans))" : "NOT handled",
                                 test: "FileTailerTests")
        #expect(ReliabilityLedger.check(row) == nil, sourceLocation: sourceLocation)
    }

    @Test func appendWhileReadingWithHalfLines() throws {
        let path = tempPath("follow.jsonl")
        append(otlpLine(trace: "1", span: "1", name: "s1") + "\n", to: path)
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait { ids(c) == ["s1"] })
        let line = otlpLine(trace: "1", span: "2", parent: "1", name: "s2")
        let cut = line.index(line.startIndex, offsetBy: 40)
        append(String(line[..<cut]), to: path)
        usleep(60_000)
        c.pump()
        #expect(ids(c) == ["s1"], "a half line must wait for its newline")
        append(String(line[cut...]) + "\n" + otlpLine(trace: "2", span: "1", name: "s3") + "\n", to: path)
        #expect(c.wait { ids(c) == ["s1", "s2", "s3"] })
        #expect(c.issues.isEmpty)
        #expect(c.health.contains(.following))
    }

    /// A big file on disk is decoded on several threads first: every span arrives once,
    /// in file order, a bad line keeps its number, progress is reported, and what is
    /// appended afterwards (including a line half written at the start) still arrives.
    @Test func bigFileCatchesUpInParallelThenFollows() throws {
        let path = tempPath("big.jsonl")
        var bytes: [UInt8] = []
        var names: [String] = []
        var n = 0
        while bytes.count < Int(FileTailer.parallelMinimumBytes) + 500_000 {
            n += 1
            if n == 1000 {
                bytes += Array("{\"resourceSpans\": [\n".utf8)  // a broken line: counted, neighbours kept
                continue
            }
            let name = "span-\(n)-" + String(repeating: "x", count: 200)
            bytes += Array((otlpLine(trace: String(n, radix: 16), span: "1", name: name) + "\n").utf8)
            names.append(name)
        }
        let half = otlpLine(trace: "ffff", span: "1", name: "late")
        bytes += Array(half.utf8.prefix(30))
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        defer { unlink(path) }
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait(seconds: 60) { c.spans.count == names.count })
        #expect(ids(c) == names)
        #expect(c.issues.map(\.line) == [1000])
        #expect(c.health.contains { if case .loading(let read, let total) = $0 { return read > 0 && read < total } else { return false } })
        append(String(half.dropFirst(30)) + "\n", to: path)
        #expect(c.wait { ids(c).last == "late" })
        #expect(c.issues.count == 1)
    }

    @Test func truncationRestartsFromTheStart() throws {
        let path = tempPath("trunc.jsonl")
        append(otlpLine(trace: "1", span: "1", name: "a") + "\n" + otlpLine(trace: "1", span: "2", name: "b") + "\n", to: path)
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait { ids(c) == ["a", "b"] })
        truncate(path, 0)
        usleep(50_000)
        append(otlpLine(trace: "3", span: "1", name: "after-truncate") + "\n", to: path)
        #expect(c.wait { ids(c) == ["a", "b", "after-truncate"] })
        usleep(100_000)
        c.pump()
        #expect(ids(c) == ["a", "b", "after-truncate"], "nothing read twice")
        // Said once, for the status bar.
        #expect(c.notices == ["file truncated: rereading it"])
        fileRow("Truncated in place while followed", ok: ids(c) == ["a", "b", "after-truncate"], spans: 3)
    }

    @Test func rotationReadsTheOldFilesTailThenTheNewFile() throws {
        let path = tempPath("rotate.jsonl")
        append(otlpLine(trace: "1", span: "1", name: "old-1") + "\n", to: path)
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait { ids(c) == ["old-1"] })
        // The writer appends a last line, then the file is renamed away and recreated.
        append(otlpLine(trace: "1", span: "2", name: "old-2") + "\n", to: path)
        rename(path, path + ".1")
        append(otlpLine(trace: "2", span: "1", name: "new-1") + "\n", to: path)
        #expect(c.wait { Set(ids(c)) == ["old-1", "old-2", "new-1"] })
        append(otlpLine(trace: "2", span: "2", name: "new-2") + "\n", to: path)
        #expect(c.wait { ids(c).count == 4 })
        usleep(100_000)
        c.pump()
        #expect(ids(c).sorted() == ["new-1", "new-2", "old-1", "old-2"])
        #expect(c.notices == ["file rotated: reading new one"])
        fileRow("Replaced (rotated) while followed", ok: ids(c).sorted() == ["new-1", "new-2", "old-1", "old-2"], spans: 4)
    }

    @Test func deletedFileIsWaitedForAndPickedUpAgain() throws {
        let path = tempPath("deleted.jsonl")
        append(otlpLine(trace: "1", span: "1", name: "first") + "\n", to: path)
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait { ids(c) == ["first"] })
        unlink(path)
        #expect(c.wait { c.health.contains { if case .waiting = $0 { true } else { false } } })
        append(otlpLine(trace: "2", span: "1", name: "second") + "\n", to: path)
        let ok = c.wait { ids(c) == ["first", "second"] }
        #expect(ok)
        fileRow("Deleted while followed, then recreated", ok: ok, spans: 2)
    }

    @Test func missingFileReportsAndRetriesWhenFollowing() throws {
        let path = tempPath("later.jsonl")
        let c = Collector()
        let tailer = FileTailer(path: path, follow: true, inbox: c.inbox, pollMilliseconds: 5)
        tailer.start()
        defer { tailer.stop() }
        #expect(c.wait { c.health.contains { if case .failed(_, retryInSeconds: .some) = $0 { true } else { false } } })
        append(otlpLine(trace: "1", span: "1", name: "arrived") + "\n", to: path)
        let ok = c.wait { ids(c) == ["arrived"] }
        #expect(ok)
        fileRow("Missing at start, appears later", ok: ok, spans: 1)
    }

    @Test func withoutFollowItReadsOnceAndSaysDone() throws {
        let path = tempPath("once.jsonl")
        append(otlpLine(trace: "1", span: "1", name: "only") + "\n" + otlpLine(trace: "1", span: "2", name: "no-newline"), to: path)
        let c = Collector()
        FileTailer(path: path, follow: false, inbox: c.inbox).start()
        #expect(c.wait { c.health.last == .done })
        #expect(ids(c) == ["only", "no-newline"])
    }
}
