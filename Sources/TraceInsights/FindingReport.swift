import TraceModel

/// `spanscope check` output: readable text grouped by rule, or JSON.
public enum FindingReport {
    public static func text(_ findings: [Finding], traces: Int, spans: Int) -> String {
        var out = ""
        let byRule = Dictionary(grouping: findings, by: \.rule)
        let order = byRule.keys.sorted { a, b in
            let sa = byRule[a]![0].severity, sb = byRule[b]![0].severity
            return sa != sb ? sa > sb : a < b
        }
        for id in order {
            let group = byRule[id]!
            let rule = Rules.rule(id)
            let traceCount = Set(group.compactMap(\.traceID)).count
            out += "\(group[0].severity.name.uppercased()) \(id): \(rule?.title ?? id) — \(group.count) finding\(group.count == 1 ? "" : "s")"
                + (traceCount > 0 ? " in \(traceCount) trace\(traceCount == 1 ? "" : "s")" : "") + "\n"
            if let rule { out += "  guide: \(rule.guideSection). fix: \(rule.fix)\n" }
            for f in group {
                let ids = [f.traceID?.hex, f.spanID?.hex].compactMap { $0 }.joined(separator: " ")
                out += "  \(ids.isEmpty ? "-" : ids)  \(f.service)  \(f.spanName)  \(f.message)\n"
            }
            out += "\n"
        }
        let count = { (s: Severity) in findings.filter { $0.severity == s }.count }
        out += "\(count(.error)) error\(count(.error) == 1 ? "" : "s"), \(count(.warning)) warning\(count(.warning) == 1 ? "" : "s"), "
            + "\(count(.info)) info in \(traces) trace\(traces == 1 ? "" : "s") (\(spans) span\(spans == 1 ? "" : "s"))\n"
        return out
    }

    /// A JSON array, one finding object per line.
    public static func json(_ findings: [Finding]) -> String {
        let lines = findings.map { f in
            "{" + [
                ("rule", quote(f.rule)), ("severity", quote(f.severity.name)),
                ("traceId", f.traceID.map { quote($0.hex) } ?? "null"), ("spanId", f.spanID.map { quote($0.hex) } ?? "null"),
                ("service", quote(f.service)), ("span", quote(f.spanName)), ("message", quote(f.message)),
            ].map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
        return lines.isEmpty ? "[]\n" : "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
