import Foundation
import Testing

/// Drives the real binary in a private tmux server: type keys, read the screen.
final class Tmux {
    let socket = "spanscope-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
    let session = "T"

    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("spanscope").path
    }

    static var available: Bool {
        (try? Tmux.shell("command -v tmux")) != nil && FileManager.default.isExecutableFile(atPath: binary)
    }

    /// Runs a shell command and returns its standard output. popen/pclose rather than
    /// Foundation's Process: its waitUntilExit never returned here once a child had
    /// started the tmux daemon.
    @discardableResult
    static func shell(_ command: String) throws -> String {
        guard let pipe = popen(command + " 2>/dev/null", "r") else { throw CocoaError(.fileReadUnknown) }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, pipe)
            if n <= 0 { break }
            output += buffer[0..<n]
        }
        let status = pclose(pipe)
        guard status == 0 else { throw CocoaError(.fileReadUnknown) }
        return String(decoding: output, as: UTF8.self)
    }

    @discardableResult
    func tmux(_ args: String) throws -> String {
        try Tmux.shell("tmux -L \(socket) \(args)")
    }

    /// Starts `command` in a new window; the shell prints the exit code afterwards and
    /// lingers so the restored terminal can be inspected.
    func start(_ command: String, width: Int = 120, height: Int = 40) throws {
        let wrapped = "LANG=C.UTF-8 TERM=xterm-256color \(command); echo SPANSCOPE-EXIT=$?; sleep 60"
        try Tmux.shell("tmux -L \(socket) new-session -d -s \(session) -x \(width) -y \(height) \(Tmux.quote(wrapped)) >/dev/null 2>&1")
    }

    /// Starts an interactive shell with job control (for Ctrl-Z and `fg`); its prompt is `$ `.
    func startShell(width: Int = 120, height: Int = 40) throws {
        let shell = "env LANG=C.UTF-8 TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i"
        try Tmux.shell("tmux -L \(socket) new-session -d -s \(session) -x \(width) -y \(height) \(Tmux.quote(shell)) >/dev/null 2>&1")
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func keys(_ keys: String...) throws {
        for k in keys { try tmux("send-keys -t \(session) \(k)") }
    }

    func literal(_ text: String) throws {
        try tmux("send-keys -t \(session) -l \(Tmux.quote(text))")
    }

    func screen() -> String { (try? tmux("capture-pane -p -t \(session)")) ?? "" }

    func display(_ format: String) -> String {
        ((try? tmux("display -p -t \(session) \(Tmux.quote(format))")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func resize(_ w: Int, _ h: Int) throws { try tmux("resize-window -t \(session) -x \(w) -y \(h)") }

    /// Polls the screen until `predicate` holds; records the last screen on timeout.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
                 _ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen()
            if predicate(last) { return last }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what). Screen:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// The same for async tests: sleeps without holding one of the cooperative threads
    /// (two here) that async tests elsewhere in the run need.
    @discardableResult
    func waitForAsync(_ what: String, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
                      _ predicate: (String) -> Bool) async -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = screen()
            if predicate(last) { return last }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("timed out waiting for \(what). Screen:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    @discardableResult
    func waitFor(text: String, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        waitFor("\"\(text)\"", seconds: seconds, sourceLocation: sourceLocation) { $0.contains(text) }
    }

    deinit {
        _ = try? Tmux.shell("tmux -L \(socket) kill-server")
    }
}
