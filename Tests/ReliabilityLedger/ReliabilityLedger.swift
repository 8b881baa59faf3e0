import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The README's "Reliability" table is written by the tests that earn it: each test
/// that throws a class of bad input or fault at spanscope reports how many cases ran
/// and what happened, and its row in the README must say exactly that. A row that
/// differs fails the test; with SPANSCOPE_ACCEPT_GOLDEN=1 the row is rewritten.
public struct ReliabilityRow: Sendable {
    public var area: String
    public var kind: String
    public var cases: Int
    public var outcome: String
    public var test: String

    public init(area: String, kind: String, cases: Int, outcome: String, test: String) {
        self.area = area
        self.kind = kind
        self.cases = cases
        self.outcome = outcome
        self.test = test
    }

    /// The usual outcome, spelled from the counts.
    public static func outcome(handled: Int, of cases: Int, goodSpansLost: Int? = nil) -> String {
        var parts = [handled == cases ? "all handled" : "\(cases - handled) NOT handled", "0 crashes"]
        if let lost = goodSpansLost { parts.append("\(lost) good spans lost") }
        return parts.joined(separator: ", ")
    }

    var key: String { "| \(area) | \(kind) |" }
    var line: String { "\(key) \(ReliabilityLedger.grouped(cases)) | \(outcome) | `\(test)` |" }
}

public enum ReliabilityLedger {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md").path
    static let end = "<!-- reliability-table-end -->"

    /// nil when the README says what the row says; otherwise what is wrong.
    public static func check(_ row: ReliabilityRow) -> String? {
        let accept = ProcessInfo.processInfo.environment["SPANSCOPE_ACCEPT_GOLDEN"] == "1"
        // Tests run in parallel (and in several processes): one writer at a time.
        let lock = open(readme, O_RDONLY)
        if accept, lock >= 0 { flock(lock, LOCK_EX) }
        defer { if lock >= 0 { flock(lock, LOCK_UN); close(lock) } }
        guard let text = try? String(contentsOfFile: readme, encoding: .utf8) else { return "cannot read \(readme)" }
        var lines = text.components(separatedBy: "\n")
        let existing = lines.firstIndex { $0.hasPrefix(row.key) }
        if let i = existing, lines[i] == row.line { return nil }
        guard accept else {
            return "README reliability row differs (SPANSCOPE_ACCEPT_GOLDEN=1 rewrites it):\n  README: \(existing.map { lines[$0] } ?? "missing")\n  tests:  \(row.line)"
        }
        if let i = existing {
            lines[i] = row.line
        } else if let sameArea = lines.lastIndex(where: { $0.hasPrefix("| \(row.area) |") }) {
            lines.insert(row.line, at: sameArea + 1)
        } else if let e = lines.firstIndex(of: end) {
            lines.insert(row.line, at: e)
        } else {
            return "README has no \(end) marker"
        }
        try? lines.joined(separator: "\n").write(toFile: readme, atomically: false, encoding: .utf8)
        return nil
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
