import Foundation
import TraceModel
import TraceSources

/// Where ingest time goes on one core: reading and framing lines, decoding them, and
/// adding the spans to the store, each timed cumulatively on the same file.
struct StageBench {
    let plan: Plan
    let corpus: Corpus

    func run(_ report: inout Report) throws {
        printErr("ingest stages")
        guard let file = corpus.mixed.last else { return }
        let runs = plan.repeats
        let frame = Stats.best(of: runs) { Self.stream(file.path, decode: false, store: false) }
        let decode = Stats.best(of: runs) { Self.stream(file.path, decode: true, store: false) }
        let all = Stats.best(of: runs) { Self.stream(file.path, decode: true, store: true) }
        let section = "ingest stages \(Units.bytes(Double(file.bytes))), 1 core"
        let rows = [("read + frame lines", frame), ("+ decode spans", decode), ("+ add to the store", all)]
        for (label, seconds) in rows {
            report.add(.init(section: section, figure: label,
                             value: "\(Units.seconds(seconds)) · \(Units.rate(bytes: file.bytes, seconds: seconds))",
                             reference: "whole ingest, 1 core", referenceValue: Units.seconds(all),
                             ratio: seconds / all, goal: "share of the whole"))
        }
    }

    /// Full ingests of `path` on `workers` threads, the explorer's way (what
    /// `--stages-on` runs under a profiler): one, or `runs` in a row with the fastest
    /// and the median printed.
    static func profile(path: String, workers: Int, runs: Int = 1) throws {
        var timings: [Double] = []
        for _ in 0..<max(1, runs) {
            var held = TraceStore(maxSpans: Int.max / 2)
            timings.append(try Clock.time { try FileLoader.stream(path: path, workers: workers) { held.add(taking: &$0.spans) } })
        }
        if timings.count == 1 {
            printErr(String(format: "ingested %@ in %.3f s on %d thread(s)", path, timings[0], max(1, workers)))
        } else {
            printErr(String(format: "ingested %@ %d times on %d thread(s): fastest %.2f ms, median %.2f ms", path,
                            timings.count, max(1, workers), 1000 * timings.min()!, 1000 * Stats.median(timings)))
        }
    }

    private static func stream(_ path: String, decode: Bool, store: Bool) -> Double {
        var held = TraceStore(maxSpans: Int.max / 2)
        let decoder = RecordDecoder()
        return Clock.time {
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var framer = RecordFramer()
            var buffer = [UInt8](repeating: 0, count: FileLoader.readBytes)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                let result = buffer.withUnsafeBytes { raw -> RecordDecoder.Result? in
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    guard decode else {
                        framer.feed(bytes) { _ in }
                        return nil
                    }
                    return decoder.decode(bytes, framing: &framer)
                }
                if store, var result { held.add(taking: &result.spans) }
            }
        }
    }
}
