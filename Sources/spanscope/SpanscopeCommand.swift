import ArgumentParser
import ExplorerUI
import Foundation
import TraceInsights
import TraceModel
import TraceSources

@main
struct SpanscopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanscope",
        abstract: "A terminal explorer for distributed traces.",
        discussion: """
            Sources (one of):
              --file PATH   OTLP JSON: JSON Lines as OpenTelemetry's file exporters
                            write, or one document; Jaeger JSON too. Followed
                            while it grows; `--file -` reads standard input.
              --demo        built-in realistic traffic, no setup.
              --jaeger URL  a Jaeger query service (API v3 or legacy): its
                            services, a search form (f), live re-polling.

            Views: services → traces → waterfall + span detail; ? lists keys.
            `spanscope show` prints traces as text for pipes and CI logs.
            """,
        subcommands: [ShowCommand.self, CheckCommand.self]
    )

    /// `check` promises exit status 2 for bad usage and unreachable sources (1 means
    /// findings), so its errors are mapped here; other commands keep the defaults.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if arguments.first == "check", code != .success, code != ExitCode(1) || !(error is ExitCode) {
                let message = fullMessage(for: error)
                if !message.isEmpty { printError(message) }
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    @OptionGroup var source: FileSourceOptions

    @Flag(help: "Stream traffic from the built-in demo generator instead of a file.")
    var demo = false

    @OptionGroup var jaegerOptions: JaegerOptions

    @Option(help: ArgumentHelp("With --jaeger: how often the current search re-runs (e.g. 5s).", valueName: "interval"))
    var poll = "5s"

    @Flag(inversion: .prefixedNo, help: "Keep reading data appended to the file (rotation and truncation are followed).")
    var follow = true

    @Option(help: ArgumentHelp("Colour theme: a name from themes/ (default, light, mono, high-contrast) or a path.", valueName: "name|path"))
    var theme = "default"

    @Option(help: ArgumentHelp("Open this trace's waterfall directly (once it has arrived).", valueName: "trace-id"))
    var trace: String?

    @OptionGroup var insightOptions: InsightConfigOptions

    @Flag(name: .customLong("no-redact"), help: "Show secret-looking attribute values instead of masking them (R reveals one span's).")
    var noRedact = false

    func validate() throws {
        if [demo, source.file != nil, jaegerOptions.jaeger != nil].filter({ $0 }).count > 1 {
            throw ValidationError("Use one source: --file, --demo or --jaeger.")
        }
        if DurationFormat.parse(poll).map({ $0 < 100_000_000 }) ?? true {
            throw ValidationError("--poll takes an interval of at least 100ms, like 5s.")
        }
        if let trace, TraceID(trace) == nil { throw ValidationError("'\(trace)' is not a trace id (1 to 32 hex digits).") }
    }

    func run() throws {
        // Checked here, not in validate(): ArgumentParser validates this command for its subcommands too.
        if !demo && source.file == nil && !jaegerOptions.isSet {
            throw ValidationError("Nothing to open: pass --file PATH, --jaeger URL or --demo.")
        }
        let theme = try ThemeLoader.load(self.theme)
        let insightConfig = try InsightConfig.load(path: insightOptions.config)
        if isatty(0) == 0 && source.file != "-" || isatty(1) == 0 {
            throw CLIError("the explorer needs a terminal; use `spanscope show` in pipes")
        }
        let inbox = SourceInbox()
        let stop: () -> Void
        let name: String
        var poller: JaegerPoller?
        if jaegerOptions.isSet && !demo && source.file == nil {
            let client = jaegerOptions.client()
            let p = JaegerPoller(client: client, api: JaegerAPI(rawValue: jaegerOptions.api), inbox: inbox,
                                 intervalSeconds: Double(DurationFormat.parse(poll)!) / 1e9)
            if let id = trace.flatMap(TraceID.init) { p.fetchTrace(id) }
            p.start()
            poller = p
            stop = p.stop
            name = client.baseURL.host ?? "jaeger"
        } else if demo {
            let demoSource = DemoSource(inbox: inbox)
            demoSource.start()
            stop = demoSource.stop
            name = "demo"
        } else {
            let path = source.file!
            if path == "-" {
                // The terminal is needed for keys: read data from stdin, keys from /dev/tty.
                guard freopenStdinKeepingData() else { throw CLIError("cannot open /dev/tty for keys while reading standard input") }
            }
            let tailer = FileTailer(path: path == "-" ? "/dev/fd/\(Self.dataFD)" : path, follow: follow, inbox: inbox)
            tailer.start()
            stop = tailer.stop
            name = path == "-" ? "stdin" : URL(fileURLWithPath: path).lastPathComponent
        }
        var state = AppState(store: TraceStore(maxSpans: source.maxSpans), sourceName: name)
        state.canSearch = poller != nil
        state.redact = !noRedact
        state.insightConfig = insightConfig
        if let id = trace.flatMap(TraceID.init) { state.pendingTraceToOpen = id }
        var session = ExplorerSession(state: state, inbox: inbox, theme: theme, stopSources: stop, poller: poller)
        let signal = session.run()
        if signal != 0 { Foundation.exit(128 + signal) }
    }

    nonisolated(unsafe) static var dataFD: Int32 = -1

    /// Moves the piped data to another descriptor and reopens stdin on the terminal.
    private func freopenStdinKeepingData() -> Bool {
        Self.dataFD = dup(0)
        let tty = open("/dev/tty", O_RDONLY)
        guard Self.dataFD >= 0, tty >= 0 else { return false }
        dup2(tty, 0)
        close(tty)
        return true
    }
}
