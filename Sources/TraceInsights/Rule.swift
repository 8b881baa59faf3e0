public enum Severity: Int, Comparable, Sendable, CaseIterable {
    case info, warning, error

    public var name: String { ["info", "warning", "error"][rawValue] }

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// One rule of the tracing guide, as data: the check itself lives in `Insights`.
public struct Rule: Sendable, Equatable {
    public var id: String
    public var severity: Severity
    public var title: String
    public var explanation: String
    /// The section of shared/docs/tracing-best-practices.md the rule comes from.
    public var guideSection: String
    public var fix: String
}

public enum Rules {
    public static let all: [Rule] = [
        Rule(id: "span-name-generic", severity: .warning, title: "Span name is too generic",
             explanation: "A name like `handler` says nothing about the operation; every such span looks the same in a search.",
             guideSection: "Span Naming Conventions", fix: "Name the operation: `http.get_user_profile`, `db.select_users`, `order.payment.charge`."),
        Rule(id: "span-name-high-cardinality", severity: .warning, title: "Span name contains ids or a query string",
             explanation: "Ids, numbers, UUIDs, e-mails or a query string in a name make every span unique: no aggregation, exploding indexes.",
             guideSection: "Span Naming Conventions", fix: "Use the route template (`GET /users/{id}`) and put the values in attributes."),
        Rule(id: "span-name-cardinality", severity: .warning, title: "A service's span names explode in cardinality",
             explanation: "Many distinct names follow one pattern once ids are taken out: the id belongs in an attribute.",
             guideSection: "Span Naming Conventions", fix: "Name the spans by the pattern shown and record the varying part as an attribute."),
        Rule(id: "error-without-status", severity: .error, title: "Error recorded but span status is not ERROR",
             explanation: "An exception event or a failing HTTP status without an ERROR status hides the failure from error rates and searches.",
             guideSection: "Handle Errors Properly", fix: "Call `span.SetStatus(codes.Error, msg)` (or the SDK's equivalent) alongside `RecordError`."),
        Rule(id: "error-status-without-message", severity: .warning, title: "ERROR status without a message",
             explanation: "An ERROR with no description forces a reader to guess what went wrong.",
             guideSection: "Handle Errors Properly", fix: "Set the status description to the error message."),
        Rule(id: "error-swallowed", severity: .info, title: "A child failed but its parent reports no error",
             explanation: "The parent completed without an error or an event while a child span failed: the failure may have been swallowed.",
             guideSection: "Consistent Error Handling", fix: "Propagate or record the child's failure, or mark it handled with an event."),
        Rule(id: "attribute-custom-key", severity: .warning, title: "Custom attribute key for a standard concept",
             explanation: "A home-made key for something OpenTelemetry's semantic conventions name splits dashboards and queries.",
             guideSection: "Use Semantic Conventions", fix: "Use the semantic-convention key named in the finding."),
        Rule(id: "attribute-deprecated", severity: .info, title: "Deprecated semantic-convention key",
             explanation: "The key was renamed in the semantic conventions; tools increasingly expect the new one.",
             guideSection: "Use Semantic Conventions", fix: "Emit the successor key named in the finding (the SDK's newer instrumentation does)."),
        Rule(id: "attribute-limits", severity: .warning, title: "More attributes, events or links than OpenTelemetry keeps by default",
             explanation: "SDKs drop what exceeds 128 attributes, events or links per span by default.",
             guideSection: "Business Attributes", fix: "Record fewer, more meaningful attributes."),
        Rule(id: "sensitive-key", severity: .error, title: "Attribute key names a secret",
             explanation: "Passwords, tokens, keys, cookies, card data and the like must never be recorded in spans.",
             guideSection: "Security Considerations", fix: "Remove the attribute, or record a non-reversible marker (e.g. `card.last4`)."),
        Rule(id: "sensitive-value", severity: .error, title: "Attribute value looks like a secret or PII",
             explanation: "The value has the shape of a card number, token, API key or e-mail address.",
             guideSection: "Security Considerations", fix: "Stop recording the value; redact it in the instrumentation."),
        Rule(id: "span-unended", severity: .error, title: "Span never ended",
             explanation: "A span without an end time was not ended (a missing `defer span.End()`).",
             guideSection: "Always End Spans", fix: "End every span on every path, e.g. `defer span.End()` right after starting it."),
        Rule(id: "span-end-before-start", severity: .error, title: "Span ends before it starts",
             explanation: "The end time precedes the start time: a clock or instrumentation bug.",
             guideSection: "Always End Spans", fix: "Take both times from the same clock; let the SDK set them."),
        Rule(id: "clock-skew", severity: .warning, title: "Span starts before its parent (clock skew)",
             explanation: "A child cannot start before the span that caused it: the two hosts' clocks disagree. The waterfall draws it at the times it reports.",
             guideSection: "Span Lifecycle", fix: "Keep hosts' clocks in sync (NTP/chrony); let the SDK take span times, never the caller's clock."),
        Rule(id: "orphan-span", severity: .warning, title: "Span's parent never arrived",
             explanation: "The parent span id is set but no such span exists in the trace: it was not exported, or context was made up.",
             guideSection: "Always Pass Context", fix: "Make sure every span is ended and exported, and pass `ctx` to child operations."),
        Rule(id: "context-lost-at-service-edge", severity: .error, title: "Server or consumer span whose remote parent is missing",
             explanation: "An entry span points to a caller span that never arrived: context was lost or forged at the service boundary.",
             guideSection: "Always Pass Context", fix: "Propagate context through HTTP headers and message metadata (`otel.GetTextMapPropagator().Inject`)."),
        Rule(id: "multiple-roots", severity: .warning, title: "Trace has several root spans",
             explanation: "More than one span without a parent: one of them should have inherited the incoming context.",
             guideSection: "Always Pass Context", fix: "Start child spans from the incoming context instead of a fresh one."),
        Rule(id: "client-root", severity: .info, title: "Trace starts with a client span",
             explanation: "A CLIENT span with no parent is often a job that started without incoming context.",
             guideSection: "Always Pass Context", fix: "Wrap background work in an INTERNAL or CONSUMER span that carries the context."),
        Rule(id: "resource-no-service-name", severity: .warning, title: "Resource without service.name",
             explanation: "Spans from an unnamed service land under `unknown_service` and cannot be attributed.",
             guideSection: "Clear Service Ownership", fix: "Set `service.name` on the resource (OTEL_SERVICE_NAME)."),
    ]

    public static func rule(_ id: String) -> Rule? { all.first { $0.id == id } }
}
