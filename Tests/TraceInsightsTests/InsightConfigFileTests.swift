import Testing
import TraceModel
@testable import TraceInsights

@Suite struct InsightConfigFileTests {
    @Test func settings() throws {
        let c = try InsightConfig.parse("""
            # team rules
            disable = client-root, multiple-roots
            severity.span-name-generic = error
            generic-names += job, Worker
            secret-keys += pin

            """, source: "c")
        #expect(c.disabled == ["client-root", "multiple-roots"])
        #expect(c.severities["span-name-generic"] == .error)
        #expect(c.genericNames.contains("handler") && c.genericNames.contains("worker"))
        #expect(c.secretKeyWords.contains("pin") && c.secretKeyWords.contains("password"))
        let trace = Trace(id: TraceID("1")!, spans: [mk("1", name: "worker", kind: .client, attributes: [Attribute("user.pin", .string("1234"))])])
        let found = Insights.check(trace, config: c).map { "\($0.severity.name) \($0.rule)" }.sorted()
        #expect(found == ["error sensitive-key", "error span-name-generic"])
        let replaced = try InsightConfig.parse("generic-names = job", source: "c")
        #expect(replaced.genericNames == ["job"])
    }

    @Test(arguments: [("disable = nope", 1, "unknown rule 'nope'"), ("\nseverity.span-unended = fatal", 2, "severity is error, warning or info"),
                      ("colour = red", 1, "unknown setting 'colour'"), ("just words", 1, "expected 'setting = value'")])
    func errorsNameTheLine(_ text: String, _ line: Int, _ message: String) {
        #expect {
            try InsightConfig.parse(text, source: "team.conf")
        } throws: { error in
            guard let e = error as? InsightConfigError else { return false }
            return e.line == line && e.message.hasPrefix(message) && e.description.hasPrefix("team.conf:\(line):")
        }
    }
}
