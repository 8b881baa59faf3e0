import TraceModel

/// One trace's findings, kept up to date as its spans arrive: an update checks only the
/// spans added since the last one, and the orphans whose parent has now arrived. A live
/// trace of a million spans would otherwise be checked whole on every refresh.
///
/// A span whose parent was present when it was checked never needs checking again
/// (its findings depend only on itself and that parent), unless spans were replaced:
/// then, or when the trace is a new one under the same id, everything is checked anew.
public struct TraceFindings: Sendable {
    /// The trace is complete, so missing parents are real (orphan findings are made).
    public let settled: Bool
    /// Which instance of the trace was checked (`Trace.createdGeneration`); -1 before.
    private var instance = -1
    private var traceID = TraceID(high: 0, low: 0)
    /// The config checked against (`Insights.Memo.stamp(for:)`).
    private var configStamp: UInt64 = 0
    private var duplicateCount = 0
    /// `spans[0..<checked]` have been checked.
    public private(set) var checked = 0
    /// Per-span findings in span order, and the span that produced each (which is not
    /// always the one it is about: a swallowed error is reported on the parent).
    private var spanFindings: [Finding] = []
    private var producers: [Int] = []
    /// Checked spans whose parent was missing then.
    private var orphans: [Int] = []
    private var rootCount = 0
    /// The earliest two roots by (start, index): `multiple-roots` names the second. Only
    /// where they are: this state is kept for every trace held (most small and many), so
    /// it holds no copies of spans, names or the config (160 bytes, not 272).
    private var firstRoot: Root?
    private var secondRoot: Root?
    private struct Root: Sendable {
        var start: Int64
        var index: Int
        func isBefore(_ other: Root) -> Bool { (start, index) < (other.start, other.index) }
    }
    /// `multiple-roots`, made when the roots change.
    private var rootFindings: [Finding] = []
    /// Services whose resource was checked; a trace has a handful, so a list (no
    /// hashing, one allocation at most: most traces are small and many).
    private var servicesSeen: [String] = []
    private var resourceFindings: [Finding] = []

    public init(settled: Bool = true) {
        self.settled = settled
    }

    /// Everything found, in the order of a check of the whole trace: per span in span
    /// order, then the trace's roots, then resources once per service.
    public var findings: [Finding] {
        if rootFindings.isEmpty && resourceFindings.isEmpty { return spanFindings }
        return spanFindings + rootFindings + resourceFindings
    }

    /// Whether every span of `trace` as it is now has been checked.
    public func isComplete(for trace: Trace) -> Bool {
        checked == trace.spanCount && instance == trace.createdGeneration && traceID == trace.id
            && duplicateCount == trace.duplicateCount
    }

    /// Brings the findings up to `trace` as it is now, or part of the way: at most
    /// `limit` spans not checked before are checked (the rest wait for the next update,
    /// so a caller can spread a big trace's check over many short steps). Returns how
    /// many spans it checked.
    @discardableResult
    public mutating func update(_ trace: Trace, config: InsightConfig, memo: inout Insights.Memo, limit: Int = .max) -> Int {
        let stamp = memo.stamp(for: config)
        if instance != trace.createdGeneration || traceID != trace.id || configStamp != stamp
            || duplicateCount != trace.duplicateCount || checked > trace.spanCount {
            self = TraceFindings(settled: settled)
            instance = trace.createdGeneration
            traceID = trace.id
            configStamp = stamp
            duplicateCount = trace.duplicateCount
        }
        guard checked < trace.spanCount || !orphans.isEmpty else { return 0 }
        let end = checked + min(max(0, limit), trace.spanCount - checked)
        var checker = SpanChecker(trace: trace, config: config, settled: settled)

        // Orphans whose parent arrived: their old findings go, new ones are merged in.
        var stillOrphans: [Int] = []
        var adopted: [Int] = []
        for i in orphans {
            if trace.index(of: trace.spans[i].parentSpanID) != nil { adopted.append(i) } else { stillOrphans.append(i) }
        }
        if !adopted.isEmpty {
            var redone: [(Int, Finding)] = []
            for i in adopted { checker.check(trace.spans[i], memo: &memo) { redone.append((i, $0)) } }
            let adoptedSet = Set(adopted)
            var merged: [(Int, Finding)] = []
            merged.reserveCapacity(spanFindings.count + redone.count)
            var k = 0
            for (producer, finding) in zip(producers, spanFindings) where !adoptedSet.contains(producer) {
                while k < redone.count && redone[k].0 < producer { merged.append(redone[k]); k += 1 }
                merged.append((producer, finding))
            }
            merged += redone[k...]
            producers = merged.map(\.0)
            spanFindings = merged.map(\.1)
        }
        orphans = stillOrphans

        let rootsBefore = rootCount
        for i in checked..<end {
            let span = trace.spans[i]
            checker.check(span, memo: &memo) { spanFindings.append($0); producers.append(i) }
            if !span.hasParent {
                rootCount += 1
                let root = Root(start: span.startTime, index: i)
                if let first = firstRoot, !root.isBefore(first) {
                    if let second = secondRoot, !root.isBefore(second) {} else { secondRoot = root }
                } else {
                    secondRoot = firstRoot
                    firstRoot = root
                }
            } else if trace.index(of: span.parentSpanID) == nil {
                orphans.append(i)
            }
            if !servicesSeen.contains(span.serviceName) {
                servicesSeen.append(span.serviceName)
                let resource = span.resource
                if resource.attributes[key: "service.name"] == nil || span.serviceName.hasPrefix("unknown_service") {
                    let why = resource.attributes[key: "service.name"] == nil ? "no service.name" : "service.name \(span.serviceName)"
                    Self.add("resource-no-service-name", span, "resource has \(why)", traceID: trace.id, config: config) {
                        resourceFindings.append($0)
                    }
                }
            }
        }
        let done = end - checked + adopted.count
        checked = end
        if rootCount != rootsBefore {
            rootFindings = []
            if rootCount > 1, let second = secondRoot {
                Self.add("multiple-roots", trace.spans[second.index], "\(rootCount) spans without a parent",
                         traceID: trace.id, config: config) { rootFindings.append($0) }
            }
        }
        return done
    }

    static func add(_ id: String, _ span: Span?, _ message: String, traceID: TraceID, config: InsightConfig,
                    to sink: (Finding) -> Void) {
        add(id, spanID: span?.spanID, service: span?.serviceName ?? "", name: span?.name ?? "", message, traceID: traceID,
            config: config, to: sink)
    }

    static func add(_ id: String, spanID: SpanID?, service: String, name: String, _ message: String, traceID: TraceID,
                    config: InsightConfig, to sink: (Finding) -> Void) {
        guard config.enabled(id), let rule = Rules.rule(id) else { return }
        sink(Finding(rule: id, severity: config.severity(of: rule), traceID: traceID, spanID: spanID,
                     service: service, spanName: name, message: message))
    }
}

/// The per-span rules. Verdicts on a resource's attributes are worked out once per
/// resource: every span of a service shares one, and checking it per span was most of
/// the cost on big traces.
private struct SpanChecker {
    let trace: Trace
    let config: InsightConfig
    let settled: Bool
    /// Per resource copy seen in this update; a handful, so searched in a list.
    private var resourceVerdicts: [(resource: ObjectIdentifier, found: [(rule: String, message: String)])] = []

    init(trace: Trace, config: InsightConfig, settled: Bool) {
        self.trace = trace
        self.config = config
        self.settled = settled
    }

    mutating func check(_ span: Span, memo: inout Insights.Memo, into sink: (Finding) -> Void) {
        let traceID = trace.id
        let config = config
        func add(_ id: String, _ span: Span?, _ message: String) {
            TraceFindings.add(id, span, message, traceID: traceID, config: config, to: sink)
        }
        checkName(span, memo: &memo, add: add)
        let parent = trace.span(span.parentSpanID)
        checkErrors(span, parent: parent, add: add)
        checkAttributes(span, memo: &memo, add: add)
        if span.isUnended {
            add("span-unended", span, "no end time")
        } else if span.endTime < span.startTime {
            add("span-end-before-start", span, "ends \(DurationFormat.format(span.startTime - span.endTime)) before it starts")
        }
        if let parent, span.startTime < parent.startTime {
            let across = parent.serviceName == span.serviceName ? "" : " (\(parent.serviceName) → \(span.serviceName))"
            add("clock-skew", span, "starts \(DurationFormat.format(parent.startTime - span.startTime)) before its parent \"\(parent.name)\"\(across)")
        }
        if !span.hasParent {
            if span.kind == .client { add("client-root", span, "a CLIENT span without a parent") }
        } else if settled && parent == nil {
            if span.kind == .server || span.kind == .consumer {
                add("context-lost-at-service-edge", span, "\(span.kind.name) span's parent \(span.parentSpanID.hex) never arrived")
            } else {
                add("orphan-span", span, "parent \(span.parentSpanID.hex) never arrived")
            }
        }
    }

    private func checkName(_ span: Span, memo: inout Insights.Memo, add: (String, Span?, String) -> Void) {
        let name = span.name
        let verdict = memo.name(name, config: config)
        if verdict.generic {
            add("span-name-generic", span, "\"\(name)\" names no operation")
        } else if Insights.httpVerbs.contains(name), span.kind == .server, let route = span.attributes[key: "http.route"]?.stringValue {
            // A bare method is what semconv prescribes only when no route is known.
            add("span-name-generic", span, "\"\(name)\" should be \"\(name) \(route)\"")
        }
        if let why = verdict.highCardinality {
            add("span-name-high-cardinality", span, "\(why) in \"\(NamePattern.template(name))\"")
        }
    }

    private static func statusCode(_ span: Span) -> Int64? {
        (span.attributes[key: "http.response.status_code"] ?? span.attributes[key: "http.status_code"])?.intValue
    }

    private func checkErrors(_ span: Span, parent: Span?, add: (String, Span?, String) -> Void) {
        if span.isError {
            if span.status.message.isEmpty { add("error-status-without-message", span, "ERROR status has no description") }
            if let parent, !parent.isError,
               !parent.events.contains(where: { $0.name == "exception" }), Self.statusCode(parent).map({ $0 < 400 }) ?? true {
                add("error-swallowed", parent, "child \"\(span.name)\" failed; this span reports no error")
            }
            return
        }
        if span.events.contains(where: { $0.name == "exception" }) {
            add("error-without-status", span, "an exception event, but status is \(span.status.code.name.uppercased())")
        } else if span.kind == .server || span.kind == .client, let code = Self.statusCode(span) {
            if span.kind == .server && code >= 500 || span.kind == .client && code >= 400 {
                add("error-without-status", span, "HTTP \(code) on a \(span.kind.name) span, but status is \(span.status.code.name.uppercased())")
            }
        }
    }

    private mutating func checkAttributes(_ span: Span, memo: inout Insights.Memo, add: (String, Span?, String) -> Void) {
        if span.attributes.count > 128 { add("attribute-limits", span, "\(span.attributes.count) attributes (limit 128)") }
        if span.events.count > 128 { add("attribute-limits", span, "\(span.events.count) events (limit 128)") }
        if span.links.count > 128 { add("attribute-limits", span, "\(span.links.count) links (limit 128)") }
        for a in span.attributes {
            let verdict = memo.key(a.key, config: config)
            if let standard = verdict.customAlias { add("attribute-custom-key", span, "\(a.key) → use \(standard)") }
            if let successor = verdict.deprecated { add("attribute-deprecated", span, "\(a.key) → \(successor)") }
            if let (rule, message) = exposure(a, place: "", verdict: verdict) { add(rule, span, message) }
        }
        let resource = span.resource
        let found: [(rule: String, message: String)]
        if let known = resourceVerdicts.first(where: { $0.resource == resource.identity }) {
            found = known.found
        } else {
            found = resource.attributes.compactMap { exposure($0, place: "resource ", verdict: memo.key($0.key, config: config)) }
            if resourceVerdicts.count < 64 { resourceVerdicts.append((resource.identity, found)) }
        }
        for (rule, message) in found { add(rule, span, message) }
        for event in span.events {
            let place = "event \"\(event.name)\" "
            for a in event.attributes {
                if let (rule, message) = exposure(a, place: place, verdict: memo.key(a.key, config: config)) { add(rule, span, message) }
            }
        }
    }

    private func exposure(_ a: Attribute, place: String, verdict: Insights.Memo.KeyVerdict) -> (rule: String, message: String)? {
        switch SecretDetector.exposure(key: a.key, value: a.value, keyKind: .some(verdict.secretKind), config: config) {
        case .namedByKey(let kind)?:
            return ("sensitive-key", "\(place)attribute \(a.key) names a secret (\(kind)); value not shown")
        case .looksLike(let kind)?:
            return ("sensitive-value", "\(place)attribute \(a.key) holds what looks like a \(kind); value not shown")
        case nil:
            return nil
        }
    }
}
