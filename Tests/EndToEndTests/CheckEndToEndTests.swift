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

    @Test func traceAssertionsPassAndFail() throws {
        let file = try violationsFile()
        let pass = run("--file \(file) --fail-on never --expect-span handler --expect-span checkout:payment.charge "
            + "--expect-attr 'db.select_users:db.system.name=postgresql' --expect-child 'POST /api/checkout>handler' --expect-traces 1")
        #expect(pass.1 == 0, "\(pass.0)")
        #expect(pass.0.contains("PASS expected span handler under POST /api/checkout: found"))
        let fail = run("--file \(file) --fail-on never --expect-span paymnt.charge --expect-attr 'db.select_users:db.system.name=mysql'")
        #expect(fail.1 == 1)
        #expect(fail.0.contains("FAIL expected span paymnt.charge: closest: checkout:payment.charge"))
        #expect(fail.0.contains("FAIL expected span db.select_users with db.system.name=mysql: the span has db.system.name=postgresql"))
        #expect(run("--file \(file) --expect-attr nonsense").1 == 2)
    }

    @Test func waitPollsUntilTheExpectedSpanArrives() throws {
        let file = try violationsFile()
        let late = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"late.arrival","kind":2,"startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#
        let lateFile = file + ".late"
        try late.write(toFile: lateFile, atomically: true, encoding: .utf8)
        // Appended 1.5 s after the check starts waiting.
        try Tmux.shell("(sleep 1.5; cat \(lateFile) >> \(file); echo >> \(file)) >/dev/null 2>&1 &")
        let started = Date()
        let waited = run("--file \(file) --fail-on never --wait 20s --expect-span late:late.arrival")
        #expect(waited.1 == 0, "\(waited.0)")
        #expect(Date().timeIntervalSince(started) < 15)
        let timedOut = run("--file \(file) --fail-on never --wait 1s --expect-span never.arrives")
        #expect(timedOut.1 == 1)
    }

    @Test func configFileDisablesAndRaises() throws {
        let file = try violationsFile()
        let config = file + ".conf"
        try "disable = sensitive-key, sensitive-value, error-without-status\nseverity.span-name-generic = error\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let (out, code) = run("--file \(file) --config \(config)")
        #expect(code == 1)
        #expect(out.contains("ERROR span-name-generic") && !out.contains("sensitive-key"))
        try "bogus = 1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = run("--file \(file) --config \(config)")
        #expect(bad.1 == 2 && bad.0.contains("bad config: \(config):1: unknown setting 'bogus'"))
    }
}
