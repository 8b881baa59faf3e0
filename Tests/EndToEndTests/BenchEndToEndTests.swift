import Foundation
import Testing

/// `spanscope-bench --quick` runs every section to completion on a small corpus. No
/// timing is asserted: the figures are for people to read; this proves the benchmark
/// (and the correctness checks it makes: every generated span ingested, the trace
/// opened whole, appended spans seen) still works.
@Suite struct BenchEndToEndTests {
    static var bench: String {
        URL(fileURLWithPath: Tmux.binary).deletingLastPathComponent().appendingPathComponent("spanscope-bench").path
    }

    @Test func quickRunCompletesWithEverySection() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try Tmux.shell("\(Tmux.quote(Self.bench)) --quick --dir \(Tmux.quote(dir)) 2>/dev/null; echo \"rc=$?\"")
        #expect(out.hasSuffix("rc=0\n"), "\(out)")
        for section in ["ingest", "ingest stages", "memory", "open", "grow", "frame 200×60", "refresh", "live"] {
            #expect(out.contains("\n" + section), "no \(section) rows in:\n\(out)")
        }
        #expect(out.contains("orjson") && out.contains("newline count"), "references are listed even when not installed")
        if Tmux.available {
            #expect(out.contains("idle, bytes/s"), "\(out)")
            #expect(out.contains("\nkeys while loading") && out.contains(" keys in "), "\(out)")
        }
        #expect(out.contains("quick run; measurements took"))
    }
}
