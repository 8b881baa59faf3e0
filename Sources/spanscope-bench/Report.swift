import Foundation

/// The benchmark's output: one row per figure, spanscope's number beside a reference
/// measured in the same run on the same bytes, and the ratio between them.
struct Report {
    struct Row {
        var section: String
        var figure: String
        var value: String
        var reference: String
        var referenceValue: String
        /// How many times better spanscope is than the reference (>1 is better), or nil.
        var ratio: Double?
        var goal: String
    }

    private(set) var rows: [Row] = []

    mutating func add(_ row: Row) {
        rows.append(row)
        let ratio = row.ratio.map { String(format: "%.2f×", $0) } ?? "-"
        printErr("  \(row.section) · \(row.figure): \(row.value)  [\(row.reference): \(row.referenceValue), \(ratio)]")
    }

    func table() -> String {
        let header = ["SECTION", "FIGURE", "SPANSCOPE", "REFERENCE", "REFERENCE VALUE", "RATIO", "GOAL"]
        let body = rows.map { r in
            [r.section, r.figure, r.value, r.reference, r.referenceValue, r.ratio.map { String(format: "%.2f×", $0) } ?? "-", r.goal]
        }
        var widths = header.map(\.count)
        for line in body { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [format(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        var lastSection = ""
        for (r, line) in zip(rows, body) {
            if r.section != lastSection && lastSection != "" { out.append("") }
            lastSection = r.section
            out.append(format(line))
        }
        return out.joined(separator: "\n")
    }
}

func printErr(_ text: String) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

enum Units {
    static func seconds(_ s: Double) -> String {
        if s.isNaN { return "n/a" }
        if s < 1e-3 { return String(format: "%.1f µs", s * 1e6) }
        if s < 1 { return String(format: "%.1f ms", s * 1e3) }
        return String(format: "%.2f s", s)
    }

    static func bytes(_ b: Double) -> String {
        if b < 1024 { return String(format: "%.0f B", b) }
        if b < 1048576 { return String(format: "%.1f KiB", b / 1024) }
        if b < 1073741824 { return String(format: "%.1f MiB", b / 1048576) }
        return String(format: "%.2f GiB", b / 1073741824)
    }

    static func rate(bytes: Int, seconds: Double) -> String {
        String(format: "%.0f MB/s", Double(bytes) / 1e6 / seconds)
    }

    static func count(_ n: Int) -> String {
        if n >= 1_000_000 { return String(format: "%.2fM", Double(n) / 1e6) }
        if n >= 10_000 { return String(format: "%.0fk", Double(n) / 1e3) }
        return String(n)
    }
}
