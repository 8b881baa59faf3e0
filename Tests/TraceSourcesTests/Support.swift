import Foundation
import TraceModel
@testable import TraceSources

/// Tests read fixtures copied into Tests/Fixtures, never ../shared.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    static func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path(name))!) }
    static func files(in folder: String) -> [String] {
        (try! FileManager.default.contentsOfDirectory(atPath: path(folder))).sorted().map { folder + "/" + $0 }
    }
}

func tempPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanscope-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("\(UUID().uuidString)-\(name)").path
}

func append(_ text: String, to path: String) {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    precondition(fd >= 0)
    _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    close(fd)
}

/// Collects what a source posts until a condition holds or a deadline passes.
final class Collector {
    let inbox = SourceInbox()
    var spans: [Span] = []
    var issues: [DecodeIssue] = []
    var health: [SourceHealth] = []
    var services: [String] = []
    var summaries: [TraceSummary] = []
    var notices: [String] = []

    func pump() {
        for event in inbox.drain() {
            switch event {
            case .spans(let s): spans += s
            case .decodeIssue(let i): issues.append(i)
            case .health(let h): health.append(h)
            case .services(let names): services = names
            case .summaries(let rows): summaries = rows
            case .notice(let text): notices.append(text)
            }
        }
    }

    /// For async tests: sleeps without holding one of the (two, on our machines)
    /// cooperative threads that the source under test needs to run.
    @discardableResult
    func waitAsync(seconds: Double = 30, until condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            pump()
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        pump()
        return condition()
    }

    @discardableResult
    func wait(seconds: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            pump()
            if condition() { return true }
            usleep(5_000)
        }
        pump()
        return condition()
    }
}

/// A line of OTLP JSON holding one span.
func otlpLine(trace: String, span: String, parent: String = "", name: String, service: String = "svc",
              start: Int64 = 1_000, end: Int64 = 2_000) -> String {
    """
    {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\(service)"}}]},\
    "scopeSpans":[{"scope":{"name":"t"},"spans":[{"traceId":"\(trace)","spanId":"\(span)","parentSpanId":"\(parent)",\
    "name":"\(name)","kind":2,"startTimeUnixNano":"\(start)","endTimeUnixNano":"\(end)"}]}]}]}
    """
}
