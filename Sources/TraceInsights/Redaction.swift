import TraceModel

/// What the explorer masks on screen: values of attributes whose keys name secrets, and
/// values that look like secrets or PII wherever they are (the tracing guide says they
/// should never be in spans; when they are, a shared screen must not show them).
public enum Redaction {
    /// The text shown instead of the value, or nil when it may be shown.
    public static func mask(key: String, value: AttributeValue, config: InsightConfig = InsightConfig()) -> String? {
        kind(key: key, value: value, config: config).map { "•••• (redacted: \($0))" }
    }

    /// What kind of secret the value is, looking inside arrays and maps too.
    public static func kind(key: String, value: AttributeValue, config: InsightConfig = InsightConfig()) -> String? {
        switch value {
        case .empty, .bool, .int, .double:
            // `token.count: 3` or `password.set: true` hold no secret.
            return nil
        case .string(let s):
            if let kind = SecretDetector.secretKey(key, config: config) { return kind }
            return SecretDetector.secretValue(s)
        case .bytes:
            return SecretDetector.secretKey(key, config: config)
        case .array(let values):
            if let kind = SecretDetector.secretKey(key, config: config) { return kind }
            for v in values { if let kind = Self.kind(key: "", value: v, config: config) { return kind } }
            return nil
        case .keyValueList(let entries):
            if let kind = SecretDetector.secretKey(key, config: config) { return kind }
            for e in entries { if let kind = Self.kind(key: e.key, value: e.value, config: config) { return kind } }
            return nil
        }
    }
}
