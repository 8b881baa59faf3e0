import ArgumentParser
import ExplorerUI
import TraceModel
import TraceSources
#if canImport(Glibc)
import Glibc
#endif

/// `spanscope show`: one trace's waterfall, or the trace list, as plain text.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a trace's waterfall, or the list of traces, as text.",
        discussion: """
            With a TRACE_ID (full, or a unique prefix): the span tree with service,
            name, start offset, duration, a proportional bar and error marks (✗);
            spans whose parent never arrived sit under a "missing parent" line.
            Without one: every trace, newest first (id, root service and span,
            start in UTC, duration, spans, errors). From Jaeger, a trace id or
            --service with --lookback and --limit. Colour only on a terminal
            without NO_COLOR.
            """
    )

    @OptionGroup var source: FileSourceOptions

    @OptionGroup var jaegerOptions: JaegerOptions

    @Option(help: "With --jaeger and no trace id: how far back to search (15m, 1h, 6h, 2d).")
    var lookback = "1h"

    @Option(help: "With --jaeger and no trace id: at most this many traces.")
    var limit = 20

    @Option(help: "Only traces involving this service.")
    var service: String?

    @Flag(help: "Only traces with an error span.")
    var errors = false

    @Argument(help: "The trace to print (full id or unique prefix).")
    var traceID: String?

    func validate() throws {
        if source.file == nil && !jaegerOptions.isSet { throw ValidationError("Missing --file PATH or --jaeger URL.") }
        if source.file != nil && jaegerOptions.jaeger != nil { throw ValidationError("Use either --file or --jaeger, not both.") }
        if source.file == nil && jaegerOptions.isSet && traceID == nil && service == nil {
            throw ValidationError("Searching Jaeger needs --service (or give a trace id).")
        }
        if DurationFormat.parse(lookback) == nil { throw ValidationError("--lookback takes a duration like 15m, 1h or 2d.") }
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if let id = traceID, !id.allSatisfy(\.isHexDigit) || id.isEmpty || id.count > 32 {
            throw ValidationError("'\(id)' is not a trace id (1 to 32 hex digits).")
        }
    }

    func run() throws {
        var store = TraceStore(maxSpans: source.maxSpans)
        let path: String
        if source.file == nil {
            path = jaegerOptions.jaeger ?? JaegerOptions.defaultURL
            store.add(try fetchFromJaeger())
        } else {
            path = source.file!
            store.add(try source.load(path: path).spans)
        }
        let report = TraceTextReport(color: stdoutWantsColor(), width: isatty(1) == 1 ? terminalWidth() : 120)
        guard let id = traceID else {
            print(report.traceList(store.traceSummaries(TraceFilter(service: service, errorsOnly: errors))), terminator: "")
            return
        }
        let prefix = id.lowercased()
        let matches = store.traces.keys.filter { $0.hex.hasPrefix(prefix) || (id.count < 32 && TraceID(id) == $0) }
        guard let match = matches.first else {
            throw CLIError("No trace \(id) in \(path) (\(store.traceCount) traces).")
        }
        guard matches.count == 1 else {
            throw CLIError("'\(id)' matches \(matches.count) traces; give more digits.")
        }
        print(report.waterfall(store.trace(match)!), terminator: "")
    }

    private func fetchFromJaeger() throws -> [Span] {
        try jaegerOptions.fetch(traceID: traceID.flatMap(TraceID.init), service: service ?? "",
                                window: DurationFormat.parse(lookback)!, limit: limit)
    }
}
