import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import TraceSources

/// The Jaeger-query-compatible fixture server (Tests/Fixtures/tools), on a free
/// loopback port, for as long as the value lives.
final class JaegerFixtureServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(_ arguments: [String] = [], traces: [String] = ["jaeger-storage-integration"]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixture.path("tools/jaeger_fixture_server.py")] + traces.map(Fixture.path) + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { throw CocoaError(.fileReadUnknown) }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = Int(text.split(separator: " ").last!.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    /// Switches the server's fault mode: none, slow, 500, malformed, truncated, refuse.
    func fault(_ mode: String, seconds: Double = 0) async throws {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/_fixture/fault?mode=\(mode)&seconds=\(seconds)")!)
        request.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: request)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
    }
}
