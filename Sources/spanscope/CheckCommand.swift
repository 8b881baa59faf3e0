import ArgumentParser
import Foundation
import TraceInsights
import TraceModel
import TraceSources

/// `spanscope check`: the tracing guide's rules over a file or a Jaeger search, for CI.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check traces against the tracing guide's rules; fail a CI build on findings.",
        discussion: """
            Prints findings grouped by rule (text) or as a JSON array (--format json:
            rule, severity, traceId, spanId, service, span, message; secret values are
            never printed). Exit status: 1 when a finding at or above --fail-on exists,
            0 otherwise, 2 on bad usage or an unreachable source.
            Rules: \(Rules.all.map(\.id).joined(separator: ", ")).
            """
    )

    @OptionGroup var source: FileSourceOptions
    @OptionGroup var jaegerOptions: JaegerOptions

    @Option(help: "Only traces involving this service (required with --jaeger).")
    var service: String?

    @Option(help: "With --jaeger: how far back to search (15m, 1h, 6h, 2d).")
    var lookback = "1h"

    @Option(help: "With --jaeger: at most this many traces.")
    var limit = 100

    @Option(name: .customLong("rule"), help: "Run only this rule (repeatable).")
    var rules: [String] = []

    @Option(name: .customLong("disable"), help: "Skip this rule (repeatable).")
    var disabled: [String] = []

    @Option(help: "Fail (exit 1) on findings of this severity or worse: error, warning, info, or never.")
    var failOn = "error"

    @Option(help: "Output: text or json.")
    var format = "text"

    @OptionGroup var insightOptions: InsightConfigOptions

    @Option(help: ArgumentHelp("Expect a span with this name ([SERVICE:]NAME; repeatable).", valueName: "name"))
    var expectSpan: [String] = []

    @Option(help: ArgumentHelp("Expect a span attribute ('[SERVICE:]NAME:KEY=VALUE'; repeatable).", valueName: "assertion"))
    var expectAttr: [String] = []

    @Option(help: ArgumentHelp("Expect a parent/child pair ('PARENT>CHILD'; repeatable).", valueName: "pair"))
    var expectChild: [String] = []

    @Option(help: "Expect exactly this many traces (after --service).")
    var expectTraces: Int?

    @Option(help: ArgumentHelp("Re-read the source until the expectations hold or this time passes (e.g. 30s).", valueName: "duration"))
    var wait: String?

    var expectations: [TraceExpectation] {
        expectSpan.compactMap(TraceExpectation.span) + expectAttr.compactMap(TraceExpectation.attribute)
            + expectChild.compactMap(TraceExpectation.child) + (expectTraces.map { [.traces($0)] } ?? [])
    }

    func validate() throws {
        for id in rules + disabled where Rules.rule(id) == nil {
            throw ValidationError("unknown rule '\(id)'; rules: \(Rules.all.map(\.id).joined(separator: ", "))")
        }
        if failOn != "never" && Severity(name: failOn) == nil { throw ValidationError("--fail-on takes error, warning, info or never.") }
        if !["text", "json"].contains(format) { throw ValidationError("--format takes text or json.") }
        if source.file == nil && !jaegerOptions.isSet { throw ValidationError("Missing --file PATH or --jaeger URL.") }
        if source.file != nil && jaegerOptions.jaeger != nil { throw ValidationError("Use either --file or --jaeger, not both.") }
        if source.file == nil && service == nil { throw ValidationError("Checking Jaeger needs --service.") }
        if DurationFormat.parse(lookback) == nil { throw ValidationError("--lookback takes a duration like 1h.") }
        for text in expectSpan where TraceExpectation.span(text) == nil { throw ValidationError("--expect-span '\(text)' is not [SERVICE:]NAME.") }
        for text in expectAttr where TraceExpectation.attribute(text) == nil {
            throw ValidationError("--expect-attr '\(text)' is not [SERVICE:]NAME:KEY=VALUE.")
        }
        for text in expectChild where TraceExpectation.child(text) == nil { throw ValidationError("--expect-child '\(text)' is not PARENT>CHILD.") }
        if let wait, DurationFormat.parse(wait) == nil { throw ValidationError("--wait takes a duration like 30s.") }
        if wait != nil && expectations.isEmpty { throw ValidationError("--wait needs at least one --expect-… to wait for.") }
    }

    func run() throws {
        // With --wait, re-read until the expectations hold: a test's time.Sleep, done right.
        let deadline = wait.flatMap(DurationFormat.parse).map { monotonicNanos() + $0 }
        var traces = try loadTraces()
        while let deadline, !expectations.allSatisfy({ $0.evaluate(traces).passed }), monotonicNanos() < deadline {
            usleep(250_000)
            traces = try loadTraces()
        }
        try report(traces)
    }

    private func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    private func loadTraces() throws -> [Trace] {
        var store = TraceStore(maxSpans: source.maxSpans)
        if let path = source.file {
            store.add(try source.load(path: path).spans)
        } else {
            store.add(try jaegerOptions.fetch(traceID: nil, service: service!, window: DurationFormat.parse(lookback)!, limit: limit))
        }
        var traces = store.traces.values.sorted { $0.startTime != $1.startTime ? $0.startTime < $1.startTime : $0.id < $1.id }
        if let service { traces = traces.filter { $0.spans.contains { $0.serviceName == service } } }
        return traces
    }

    private func report(_ traces: [Trace]) throws {
        var config = try InsightConfig.load(path: insightOptions.config)
        config.only.formUnion(rules)
        config.disabled.formUnion(disabled)
        let findings = traces.flatMap { Insights.check($0, config: config) } + Insights.nameCardinality(traces, config: config)
        let spans = traces.reduce(0) { $0 + $1.spanCount }
        print(format == "json" ? FindingReport.json(findings) : FindingReport.text(findings, traces: traces.count, spans: spans),
              terminator: "")
        let outcomes = expectations.map { $0.evaluate(traces) }
        for o in outcomes {
            // On standard error with --format json, so the JSON stays parseable.
            let line = (o.passed ? "PASS " : "FAIL ") + "expected \(o.expectation): \(o.detail)"
            if format == "json" { printError(line) } else { print(line) }
        }
        if outcomes.contains(where: { !$0.passed }) { throw ExitCode(1) }
        if let threshold = Severity(name: failOn), findings.contains(where: { $0.severity >= threshold }) {
            throw ExitCode(1)
        }
    }
}
