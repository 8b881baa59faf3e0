/// The `spanscope check --config` file: one setting a line, `#` comments.
///
///     disable = client-root, multiple-roots      # rules to skip
///     only = sensitive-key, sensitive-value      # run only these
///     severity.span-name-generic = error         # error | warning | info
///     generic-names += job, worker               # extend (or `=` to replace) the list
///     secret-keys += pin, otp                    # more key words that name secrets
public struct InsightConfigError: Error, Equatable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var message: String
    public var description: String { "\(source):\(line): \(message)" }
}

extension InsightConfig {
    public static func parse(_ text: String, source: String) throws -> InsightConfig {
        var config = InsightConfig()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if line.allSatisfy(\.isWhitespace) { continue }
            func fail(_ m: String) -> InsightConfigError { InsightConfigError(source: source, line: index + 1, message: m) }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected 'setting = value'") }
            var key = line[..<eq].trimmed
            let extend = key.hasSuffix("+")
            if extend { key = String(key.dropLast()).trimmed }
            let values = line[line.index(after: eq)...].split(separator: ",").map { $0.trimmed.lowercased() }.filter { !$0.isEmpty }
            func rules() throws -> Set<String> {
                for v in values where Rules.rule(v) == nil { throw fail("unknown rule '\(v)'") }
                return Set(values)
            }
            switch key {
            case "disable": config.disabled.formUnion(try rules())
            case "only": config.only.formUnion(try rules())
            case "generic-names":
                config.genericNames = extend ? config.genericNames.union(values) : Set(values)
            case "secret-keys":
                config.secretKeyWords = extend ? config.secretKeyWords.union(values) : Set(values)
            default:
                guard key.hasPrefix("severity.") else {
                    throw fail("unknown setting '\(key)' (disable, only, severity.RULE, generic-names, secret-keys)")
                }
                let id = String(key.dropFirst("severity.".count))
                guard Rules.rule(id) != nil else { throw fail("unknown rule '\(id)'") }
                guard values.count == 1, let severity = Severity(name: values[0]) else { throw fail("severity is error, warning or info") }
                config.severities[id] = severity
            }
        }
        return config
    }
}
