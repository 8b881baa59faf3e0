import ArgumentParser
import ExplorerUI
import TraceModel
import TraceSources

@main
struct SpanscopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanscope",
        abstract: "A terminal explorer for distributed traces.",
        discussion: """
            Opens an interactive explorer on a source of spans:
              --file PATH   an OTLP JSON file (JSON Lines as OpenTelemetry's file exporters
                            write, or one pretty-printed document); followed while it grows.
                            `--file -` reads standard input.
              --demo        a built-in generator of realistic traffic (no setup).

            `spanscope show` prints traces as text, for pipes and CI logs.
            """,
        subcommands: [ShowCommand.self]
    )

    @OptionGroup var source: FileSourceOptions

    @Flag(help: "Stream traffic from the built-in demo generator instead of a file.")
    var demo = false

    @Flag(inversion: .prefixedNo, help: "Keep reading data appended to the file (rotation and truncation are followed).")
    var follow = true

    func validate() throws {
        if demo && source.file != nil { throw ValidationError("Use either --file or --demo, not both.") }
        if !demo && source.file == nil { throw ValidationError("Nothing to open: pass --file PATH or --demo.") }
    }

    func run() throws {
        guard let path = source.file else {
            print("spanscope --demo: the interactive explorer is not built yet.")
            return
        }
        let loaded = try source.load(path: path)
        var store = TraceStore(maxSpans: source.maxSpans)
        store.add(loaded.spans)
        print("\(path): \(store.spanCount) spans in \(store.traceCount) traces, \(loaded.issues.count) bad records.")
        print("The interactive explorer is not built yet; `spanscope show --file \(path)` prints the traces.")
    }
}
