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
        let frame = best(runs) { Self.stream(file.path, decode: false, store: false) }
        let decode = best(runs) { Self.stream(file.path, decode: true, store: false) }
        let all = best(runs) { Self.stream(file.path, decode: true, store: true) }
        let section = "ingest stages \(Units.bytes(Double(file.bytes))), 1 core"
        let rows = [("read + frame lines", frame), ("+ decode spans", decode), ("+ add to the store", all)]
        for (label, seconds) in rows {
            report.add(.init(section: section, figure: label,
                             value: "\(Units.seconds(seconds)) · \(Units.rate(bytes: file.bytes, seconds: seconds))",
                             reference: "whole ingest, 1 core", referenceValue: Units.seconds(all),
                             ratio: seconds / all, goal: "share of the whole"))
        }
    }

    /// One full ingest of `path` on one core (what `--stages-on` runs under a profiler).
    static func profile(path: String) {
        let seconds = stream(path, decode: true, store: true)
        printErr(String(format: "ingested %@ in %.3f s", path, seconds))
    }

    private static func stream(_ path: String, decode: Bool, store: Bool) -> Double {
        var held = TraceStore(maxSpans: Int.max / 2)
        let decoder = RecordDecoder()
        return Clock.time {
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var framer = RecordFramer()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
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
                if store, let result { held.add(result.spans) }
            }
        }
    }

    private func best(_ runs: Int, _ body: () -> Double) -> Double {
        (0..<max(1, runs)).map { _ in body() }.min()!
    }
}
