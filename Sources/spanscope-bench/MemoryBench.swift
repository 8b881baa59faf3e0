import Foundation
import TraceModel
import TraceSources

/// Figure 2: peak resident memory of a fresh process holding a file's spans.
struct MemoryBench {
    let plan: Plan
    let corpus: Corpus

    func run(_ report: inout Report) throws {
        printErr("memory")
        // The figure is a million spans held: of small traces (mixed traffic, as
        // a service's exporter writes) and in one trace; the largest mixed file too.
        let millionMixed = try plan.mixed(spans: plan.hugeTrace, seed: 5)
        for file in [corpus.mixed.last!, millionMixed, corpus.hugeTrace!] {
            // A fresh process, so nothing measured earlier in this one counts.
            let r = Shell.run("\(Shell.quote(SelfProcess.executablePath)) --hold \(Shell.quote(file.path))")
            let fields = r.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            guard r.status == 0, fields.count == 4 else { throw BenchError("holding \(file.name) failed: \(r.output)") }
            let (spans, before, peak, after) = (fields[0], fields[1], fields[2], fields[3])
            guard spans == file.spans else { throw BenchError("\(file.name): held \(spans) spans, expected \(file.spans)") }
            let perSpan = Double(after - before) / Double(spans)
            report.add(.init(section: "memory", figure: "\(file.name) held (\(Units.count(spans)) spans)",
                             value: "peak \(Units.bytes(Double(peak))) · at start \(Units.bytes(Double(before))) · \(Int(perSpan)) B/span above it",
                             reference: "file size", referenceValue: Units.bytes(Double(file.bytes)),
                             ratio: Double(file.bytes) / Double(peak), goal: "peak ≤ 0.3× file (ratio ≥ 3.33×)"))
        }
    }

    /// Child mode: load the file into a store and print spans, RSS before, peak RSS, and
    /// RSS after loading (bytes).
    static func holdAndReport(path: String) throws {
        let before = SelfProcess.residentBytes()
        var store = TraceStore(maxSpans: Int.max / 2)
        try FileLoader.stream(path: path) { store.add(taking: &$0.spans) }
        let after = SelfProcess.residentBytes()
        print(store.spanCount, before, SelfProcess.peakResidentBytes(), after)
        withExtendedLifetime(store) {}
    }
}
