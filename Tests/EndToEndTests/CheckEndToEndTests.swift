import Foundation
import Testing

/// `spanscope check` on a file written by the real OpenTelemetry Python SDK with
/// violations planted by Tests/Fixtures/tools/produce_violations.py.
@Suite struct CheckEndToEndTests {
    func violationsFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("violations-\(UUID().uuidString).jsonl").path
        let script = ExplorerEndToEndTests.root.appendingPathComponent("Fixtures/tools/produce_violations.py").path
        try Tmux.shell("python3 \(Tmux.quote(script)) \(Tmux.quote(path))")
        return path
    }

    func run(_ args: String) -> (String, Int32) {
        let out = (try? Tmux.shell("\(Tmux.quote(Tmux.binary)) check \(args) 2>&1; echo \"rc=$?\"")) ?? ""
        let code = out.split(separator: "\n").last.flatMap { Int32($0.dropFirst(3)) } ?? -1
        return (out, code)
    }

    @Test func findsExactlyThePlantedViolations() throws {
        let file = try violationsFile()
        let (json, code) = run("--file \(file) --format json")
        #expect(code == 1)
        let body = String(json[..<json.range(of: "rc=")!.lowerBound])
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        let found = Set(objects.map { "\($0["rule"]!) \($0["span"]!)" })
        #expect(found == [
            "span-name-generic handler",
            "span-name-high-cardinality GET /api/v1/users/123/profile?include=preferences",
            "attribute-custom-key GET /api/v1/users/123/profile?include=preferences",
            "error-without-status payment.charge",
            "sensitive-key payment.charge",
            "sensitive-value payment.charge",
        ], "\(found)")
        for object in objects {
            #expect(Set(object.keys) == ["rule", "severity", "traceId", "spanId", "service", "span", "message"])
            #expect((object["traceId"] as? String)?.count == 32 && (object["spanId"] as? String)?.count == 16)
            #expect(object["service"] as? String == "checkout")
        }
        #expect(!body.contains("4111111111111111") && !body.contains("sk-abcdefghij"), "secret values are never printed")
    }

    @Test func exitCodesFollowFailOn() throws {
        let file = try violationsFile()
        #expect(run("--file \(file)").1 == 1)
        #expect(run("--file \(file) --fail-on never").1 == 0)
        #expect(run("--file \(file) --disable sensitive-key --disable sensitive-value --disable error-without-status").1 == 0)
        #expect(run("--file \(file) --disable sensitive-key --disable sensitive-value --disable error-without-status --fail-on warning").1 == 1)
        #expect(run("--file \(file) --rule span-name-generic --fail-on warning").0.contains("1 warning"))
        #expect(run("--file \(file) --rule no-such-rule").1 == 2)
        #expect(run("--file /no/such/file.jsonl").1 == 2)
        #expect(run("--jaeger http://127.0.0.1:1 --service x").1 == 2)
        let text = run("--file \(file)").0
        #expect(text.contains("ERROR sensitive-key: Attribute key names a secret — 1 finding in 1 trace"))
        #expect(text.contains("3 errors, 3 warnings, 0 info in 1 trace (5 spans)"))
    }
}
