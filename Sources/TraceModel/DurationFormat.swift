/// Human durations and duration parsing shared by the CLI, `show` and the UI.
public enum DurationFormat {
    /// `850ns`, `12µs`, `1.25ms`, `3.4s`, `2m05s`: three significant figures at most.
    public static func format(_ ns: Int64) -> String {
        let v = Double(ns)
        func fmt(_ x: Double, _ unit: String) -> String {
            if x >= 100 { return String(Int(x.rounded())) + unit }
            if x >= 10 { return trimmed(x, 1) + unit }
            return trimmed(x, 2) + unit
        }
        switch abs(ns) {
        case ..<1_000: return "\(ns)ns"
        case ..<1_000_000: return fmt(v / 1e3, "µs")
        case ..<1_000_000_000: return fmt(v / 1e6, "ms")
        case ..<60_000_000_000: return fmt(v / 1e9, "s")
        case ..<3_600_000_000_000:
            let s = ns / 1_000_000_000
            return "\(s / 60)m" + String(format2(s % 60)) + "s"
        default:
            let m = ns / 60_000_000_000
            return "\(m / 60)h" + String(format2(m % 60)) + "m"
        }
    }

    private static func format2(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func trimmed(_ x: Double, _ decimals: Int) -> String {
        let scale = decimals == 1 ? 10.0 : 100.0
        let r = (x * scale).rounded() / scale
        var s = String(r)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// Parses `120ms`, `1.5s`, `250us`/`250µs`, `3m`, `2h`, `500ns`, `2d`; a bare number is milliseconds.
    public static func parse(_ text: String) -> Int64? {
        let t = text.trimmed.lowercased()
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9),
        ]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            if let v = Double(number), v >= 0, v.isFinite { return Int64(v * scale) }
        }
        if let v = Double(t), v >= 0, v.isFinite { return Int64(v * 1e6) }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace (no Foundation needed).
    public var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
