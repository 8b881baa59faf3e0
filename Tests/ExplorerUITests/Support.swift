import Foundation
import Testing
import TraceModel
import TraceSources
@testable import ExplorerUI

enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { tests.appendingPathComponent("Fixtures/\(name)").path }
    static func golden(_ name: String) -> URL { tests.appendingPathComponent("ExplorerUITests/Golden/\(name).txt") }
    static let themes = tests.deletingLastPathComponent().appendingPathComponent("themes")
}

func loadStore(_ fixtures: [String]) throws -> TraceStore {
    var store = TraceStore()
    for f in fixtures { store.add(try FileLoader.load(path: Paths.fixture(f)).spans) }
    return store
}

/// Compares a screen with its golden file. With SPANSCOPE_ACCEPT_GOLDEN=1 the file is
/// (re)written instead — review the diff before committing it. A failure prints the
/// actual screen so it can be read.
func expectGolden(_ canvas: Canvas, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = canvas.text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { String($0).replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
        .joined(separator: "\n") + "\n"
    let url = Paths.golden(name)
    if ProcessInfo.processInfo.environment["SPANSCOPE_ACCEPT_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("no golden file \(name).txt; run with SPANSCOPE_ACCEPT_GOLDEN=1 to create it. Actual:\n\(actual)",
                     sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "screen \(name) differs. Actual:\n\(actual)", sourceLocation: sourceLocation)
}

func span(_ trace: String, _ id: String, parent: String = "", name: String, service: String = "svc",
          start: Int64, end: Int64, error: Bool = false, attributes: [Attribute] = []) -> Span {
    Span(traceID: TraceID(trace)!, spanID: SpanID(id)!, parentSpanID: parent.isEmpty ? .zero : SpanID(parent)!,
         name: name, kind: .server, startTime: start, endTime: end, status: SpanStatus(code: error ? .error : .unset),
         attributes: AttributeList(attributes), resource: Resource(serviceName: service))
}

extension AppState {
    mutating func press(_ keys: Key...) {
        for k in keys { update(.key(k)) }
    }

    mutating func type(_ text: String) {
        for c in text { update(.key(.char(c))) }
    }
}
