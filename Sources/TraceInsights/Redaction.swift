import TraceModel

/// What the explorer masks on screen: values of attributes whose keys name secrets, and
/// values that look like secrets or PII wherever they are (the tracing guide says they
/// should never be in spans; when they are, a shared screen must not show them).
public enum Redaction {
    /// The text shown instead of the value, or nil when it may be shown.
    public static func mask(key: String, value: AttributeValue, config: InsightConfig = InsightConfig()) -> String? {
        kind(key: key, value: value, config: config).map { "•••• (redacted: \($0))" }
    }

    /// What kind of secret the value is, looking inside arrays and maps too (the same
    /// rule the insights report by: `SecretDetector.exposure`).
    public static func kind(key: String, value: AttributeValue, config: InsightConfig = InsightConfig()) -> String? {
        SecretDetector.exposure(key: key, value: value, config: config)?.kind
    }
}
