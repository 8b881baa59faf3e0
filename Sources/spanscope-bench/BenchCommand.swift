import ArgumentParser
import Foundation
import TraceModel
import TraceSources

/// `spanscope-bench`: generates a deterministic corpus and prints what spanscope does
/// with it beside references measured in the same run (see the README's Performance).
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanscope-bench",
        abstract: "Measure ingest, memory, trace opening, frame rendering, live latency and terminal output.",
        discussion: """
            Writes its corpus (OTLP JSON Lines: mixed traffic of 10 MB and 200 MB, one
            trace of 100,000 spans and one of 1,000,000, and for the memory figure a
            million spans of mixed traffic) into --dir and reuses it on the next run.
            References: newline counting, Python orjson and pysimdjson (pip install
            orjson pysimdjson), jq; those not installed are reported as such.
            --quick runs a small version (seconds) that only shows everything works.
            """
    )

    @Flag(help: "A small, fast run (CI checks that it completes).")
    var quick = false

    @Option(help: "Where the corpus files are written and reused.")
    var dir = "/tmp/spanscope-bench"

    @Option(help: "Sections to run, comma separated: ingest,stages,memory,open,grow,frame,live,terminal,keys.")
    var only = "ingest,stages,memory,open,grow,frame,live,terminal,keys"

    @Option(help: "Decoding threads for the parallel ingest figure.")
    var workers = FileLoader.defaultWorkers

    @Option(help: .hidden)
    var hold: String?

    /// Ingests this one file once and does nothing else (no corpus, no references): a
    /// run to profile, e.g. under callgrind, whose instruction counts are steady here.
    @Option(help: .hidden)
    var stagesOn: String?

    @Option(help: .hidden)
    var stagesOnWorkers = 1

    /// Ingests the `--stages-on` file this many times in one process and prints the
    /// fastest and the median: an A/B of a small file, whose single loads are a few
    /// milliseconds, needs many.
    @Option(help: .hidden)
    var stagesOnRuns = 1

    mutating func run() throws {
        if let hold {
            try MemoryBench.holdAndReport(path: hold)
            return
        }
        if let stagesOn {
            try StageBench.profile(path: stagesOn, workers: stagesOnWorkers, runs: stagesOnRuns)
            return
        }
        let sections = Set(only.split(separator: ",").map { String($0).trimmed })
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let plan = Plan(quick: quick, dir: dir)
        printErr("spanscope-bench (\(quick ? "quick" : "full")): \(ProcessInfo.processInfo.activeProcessorCount) cores, corpus in \(dir)")
        let corpus = try plan.prepare()
        var report = Report()
        let started = Clock.now()
        if sections.contains("ingest") { try IngestBench(plan: plan, corpus: corpus, workers: workers).run(&report) }
        if sections.contains("stages") { try StageBench(plan: plan, corpus: corpus).run(&report) }
        if sections.contains("memory") { try MemoryBench(plan: plan, corpus: corpus).run(&report) }
        if sections.contains("open") { try OpenBench(plan: plan, corpus: corpus).run(&report) }
        if sections.contains("grow") { try GrowBench(plan: plan, corpus: corpus).run(&report) }
        if sections.contains("frame") { try FrameBench(plan: plan, corpus: corpus).run(&report) }
        if sections.contains("live") { try LiveBench(plan: plan).run(&report) }
        if sections.contains("terminal") { try TerminalBench(plan: plan).run(&report) }
        if sections.contains("keys") { try KeyLatencyBench(plan: plan, corpus: corpus).run(&report) }
        print(report.table())
        print(String(format: "\n%@ run; measurements took %.1f s; %d cores; corpus in %@", quick ? "quick" : "full",
                     Clock.now() - started, ProcessInfo.processInfo.activeProcessorCount, dir))
    }
}

/// Sizes for a full or a quick run.
struct Plan {
    var quick: Bool
    var dir: String
    var smallBytes: Int { quick ? 1_000_000 : 10_000_000 }
    var largeBytes: Int? { quick ? nil : 200_000_000 }
    var bigTrace: Int { quick ? 10_000 : 100_000 }
    var hugeTrace: Int { quick ? 30_000 : 1_000_000 }
    var repeats: Int { quick ? 1 : 3 }

    /// Files written by this version of the generator are reused; the stamp names them.
    static let generatorVersion = 2

    func prepare() throws -> Corpus {
        var corpus = Corpus()
        corpus.mixed.append(try mixed(bytes: smallBytes, seed: 1))
        if let largeBytes { corpus.mixed.append(try mixed(bytes: largeBytes, seed: 2)) }
        corpus.bigTrace = try single(spans: bigTrace, seed: 3)
        corpus.hugeTrace = try single(spans: hugeTrace, seed: 4)
        return corpus
    }

    private func mixed(bytes: Int, seed: UInt64) throws -> CorpusFile {
        try mixed(path: "\(dir)/mixed-\(bytes / 1_000_000)MB.jsonl", seed: seed) { $0.writeMixed(to: &$1, bytes: bytes) }
    }

    /// Mixed traffic of `spans` spans in small traces: the memory figure's million spans
    /// (written only when that figure is asked for: about 1 GB).
    func mixed(spans: Int, seed: UInt64) throws -> CorpusFile {
        try mixed(path: "\(dir)/mixed-\(spans)-spans.jsonl", seed: seed) { $0.writeMixed(to: &$1, spans: spans) }
    }

    private func mixed(path: String, seed: UInt64, write: (inout CorpusGenerator, inout FileSink) -> Void) throws -> CorpusFile {
        try cached(path) {
            var generator = CorpusGenerator(seed: seed)
            var sink = try FileSink(path: path)
            write(&generator, &sink)
            sink.close()
            return CorpusFile(path: path, bytes: generator.bytesWritten, spans: generator.spansWritten, traceID: nil)
        }
    }

    private func single(spans: Int, seed: UInt64) throws -> CorpusFile {
        let path = "\(dir)/trace-\(spans).jsonl"
        return try cached(path) {
            var generator = CorpusGenerator(seed: seed)
            var sink = try FileSink(path: path)
            let id = generator.writeBigTrace(to: &sink, spans: spans)
            sink.close()
            return CorpusFile(path: path, bytes: generator.bytesWritten, spans: generator.spansWritten, traceID: id)
        }
    }

    /// Reuses a file whose stamp says this generator wrote it completely.
    private func cached(_ path: String, _ make: () throws -> CorpusFile) throws -> CorpusFile {
        let stamp = path + ".stamp"
        if let text = try? String(contentsOfFile: stamp, encoding: .utf8) {
            let f = text.split(separator: " ").map(String.init)
            if f.count == 4, Int(f[0]) == Self.generatorVersion, let spans = Int(f[1]), Int(f[2]) == fileSize(path) {
                return CorpusFile(path: path, bytes: fileSize(path), spans: spans, traceID: TraceID(f[3]))
            }
        }
        printErr("  writing \(path)…")
        let t = Clock.now()
        let file = try make()
        printErr(String(format: "  wrote %@ (%@, %d spans) in %.1f s", path, Units.bytes(Double(file.bytes)), file.spans, Clock.now() - t))
        try "\(Self.generatorVersion) \(file.spans) \(file.bytes) \(file.traceID?.hex ?? "-")".write(toFile: stamp, atomically: true, encoding: .utf8)
        return file
    }
}

struct CorpusFile {
    var path: String
    var bytes: Int
    var spans: Int
    var traceID: TraceID?
    var name: String { (path as NSString).lastPathComponent }
}

struct Corpus {
    var mixed: [CorpusFile] = []
    var bigTrace: CorpusFile!
    var hugeTrace: CorpusFile!
}
