import Foundation
import TraceModel
import TraceSources

/// Figure 1: decode + assemble + index into the store, against parsers of the same bytes.
struct IngestBench {
    let plan: Plan
    let corpus: Corpus
    let workers: Int

    func run(_ report: inout Report) throws {
        printErr("ingest")
        for file in corpus.mixed {
            // Best of several rounds on both sides: single runs on this shared box vary by
            // ±30%, and its speed drifts within a minute. Rounds alternate spanscope's runs
            // with the references' (one timed pass each), so a fast or slow spell
            // reaches both sides alike instead of one side's runs.
            var sequential = Double.infinity, parallel = Double.infinity, newlines = Double.infinity
            var orjson: Double?, simdjson: Double?
            var orjsonMissing = false, simdjsonMissing = false
            // A small file's runs take milliseconds, where one interruption is a large
            // share: it gets more rounds (seven in a full run), on both sides alike.
            let rounds = file.bytes < 50_000_000 ? 2 * plan.repeats + 1 : plan.repeats
            for _ in 0..<rounds {
                sequential = min(sequential, try ingest(file, workers: 1))
                parallel = min(parallel, try ingest(file, workers: workers))
                newlines = min(newlines, countNewlines(file.path))
                if !orjsonMissing {
                    let t = python("orjson", file.path)
                    orjsonMissing = t == nil
                    orjson = Stats.smaller(orjson, t)
                }
                if !simdjsonMissing {
                    let t = python("simdjson", file.path)
                    simdjsonMissing = t == nil
                    simdjson = Stats.smaller(simdjson, t)
                }
            }
            var references: [(String, Double?)] = [("newline count (read + memchr)", newlines)]
            references.append(("orjson (Python, parse only)", orjson))
            references.append(("pysimdjson (parse only)", simdjson))
            references.append(("jq -c . >/dev/null", jq(file.path)))
            let size = Units.bytes(Double(file.bytes))
            let spansPerSecond = { (s: Double) in Units.count(Int(Double(file.spans) / s)) + " spans/s" }
            let goal = "≥1.5× orjson; goal simdjson's rate"
            for (label, seconds) in [("1 core", sequential), ("\(workers) threads", parallel)] {
                for (refName, refSeconds) in references {
                    report.add(.init(section: "ingest \(size)", figure: label,
                                     value: "\(Units.seconds(seconds)) · \(Units.rate(bytes: file.bytes, seconds: seconds)) · \(spansPerSecond(seconds))",
                                     reference: refName,
                                     referenceValue: refSeconds.map { "\(Units.seconds($0)) · \(Units.rate(bytes: file.bytes, seconds: $0))" } ?? "not installed",
                                     ratio: refSeconds.map { $0 / seconds }, goal: goal))
                }
            }
        }
    }

    /// The whole path the explorer takes: decode on `workers` threads, add to the store.
    func ingest(_ file: CorpusFile, workers: Int) throws -> Double {
        var store = TraceStore(maxSpans: Int.max / 2)
        var issues = 0
        let seconds = try Clock.time {
            try FileLoader.stream(path: file.path, workers: workers) { result in
                issues += result.issues.count
                store.add(taking: &result.spans)
            }
        }
        guard store.spanCount == file.spans, issues == 0 else {
            throw BenchError("\(file.name): ingested \(store.spanCount) spans with \(issues) issues; the file has \(file.spans)")
        }
        return seconds
    }

    func countNewlines(_ path: String) -> Double {
        Clock.time {
            let fd = open(path, O_RDONLY)
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var lines = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                lines += buffer.withUnsafeBytes { ParallelDecoder.countNewlines(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            precondition(lines > 0)
        }
    }

    /// Python parses every line with the named module; the script times one pass of
    /// parsing only, after a warm-up pass over the first lines.
    func python(_ module: String, _ path: String) -> Double? {
        let script = """
            import sys, time
            mod, path = sys.argv[1], sys.argv[2]
            if mod == 'orjson':
                import orjson; parse = orjson.loads
            else:
                import simdjson; parse = simdjson.Parser().parse
            lines = [l for l in open(path, 'rb').read().split(b'\\n') if l]
            for l in lines[:8]: parse(l)
            t = time.perf_counter()
            for l in lines: parse(l)
            print(time.perf_counter() - t)
            """
        let r = Shell.run("python3 -c \(Shell.quote(script)) \(module) \(Shell.quote(path))")
        guard r.status == 0 else { return nil }
        return Double(r.output.split(separator: "\n").last.map(String.init) ?? "")
    }

    func jq(_ path: String) -> Double? {
        guard Shell.has("jq") else { return nil }
        var status: Int32 = 0
        let seconds = Clock.time { status = Shell.run("jq -c . \(Shell.quote(path)) >/dev/null").status }
        return status == 0 ? seconds : nil
    }
}
