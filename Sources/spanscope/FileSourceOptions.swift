import ArgumentParser
import TraceSources

#if canImport(Glibc)
import Glibc
#endif

/// Options shared by every command that reads a file.
struct FileSourceOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("An OTLP JSON file to read (`-` for standard input).", valueName: "path"))
    var file: String?

    @Option(help: "At most this many spans are held; the oldest whole traces are evicted beyond it. One trace alone keeps at most this many; its later spans are counted, not kept.")
    var maxSpans = 1_000_000

    @Flag(name: .shortAndLong, help: "Print every malformed record with its line number and reason.")
    var verbose = false

    func validate() throws {
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1.") }
    }

    /// Loads the whole file, reporting bad records on standard error.
    func load(path: String) throws -> FileLoader.Loaded {
        let loaded: FileLoader.Loaded
        do {
            loaded = try FileLoader.load(path: path)
        } catch let error as FileSourceError {
            throw CLIError("cannot read \(error)")
        }
        if !loaded.issues.isEmpty {
            if verbose {
                for issue in loaded.issues { printError("\(path):\(issue.line): \(issue.reason)") }
            }
            printError("\(path): \(loaded.issues.count) malformed record\(loaded.issues.count == 1 ? "" : "s") skipped"
                + (verbose ? "" : " (--verbose lists them)"))
        }
        return loaded
    }
}

func printError(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Colour only for a terminal, and never when NO_COLOR is set (no-color.org).
func stdoutWantsColor() -> Bool {
    isatty(1) == 1 && getenv("NO_COLOR") == nil
}

func terminalWidth() -> Int {
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    if let env = getenv("COLUMNS"), let n = Int(String(cString: env)), n > 0 { return n }
    return 120
}

/// A runtime failure: ArgumentParser prints it as one `Error:` line and exits 1,
/// without the usage block that belongs to mistakes in the arguments.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
