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
            With a TRACE_ID (full, or a unique prefix): the span tree with service, span name,
            start offset, duration, a proportional bar and error marks (✗). Spans whose parent
            never arrived are listed under a "missing parent" line.
            Without one: every trace, newest first — id, root service, root span, start (UTC),
            duration, span and error counts. Colour only when standard output is a terminal
            and NO_COLOR is unset.
            """
    )

    @OptionGroup var source: FileSourceOptions

    @Option(help: "Only traces involving this service.")
    var service: String?

    @Flag(help: "Only traces with an error span.")
    var errors = false

    @Argument(help: "The trace to print (full id or unique prefix).")
    var traceID: String?

    func validate() throws {
        if source.file == nil { throw ValidationError("Missing --file PATH.") }
        if let id = traceID, !id.allSatisfy(\.isHexDigit) || id.isEmpty || id.count > 32 {
            throw ValidationError("'\(id)' is not a trace id (1 to 32 hex digits).")
        }
    }

    func run() throws {
        let path = source.file!
        let loaded = try source.load(path: path)
        var store = TraceStore(maxSpans: source.maxSpans)
        store.add(loaded.spans)
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
}
