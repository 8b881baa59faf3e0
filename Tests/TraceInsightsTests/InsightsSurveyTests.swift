import Foundation
import Testing
import TraceModel
import TraceSources
@testable import TraceInsights

enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { tests.appendingPathComponent("Fixtures/\(name)").path }
    static let golden = tests.appendingPathComponent("TraceInsightsTests/Golden")
}

func counts(_ findings: [Finding]) -> String {
    var byRule: [String: Int] = [:]
    for f in findings { byRule["\(f.severity.name) \(f.rule)", default: 0] += 1 }
    return byRule.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n") + "\n"
}

func traces(of spans: [Span]) -> [Trace] {
    var store = TraceStore()
    store.add(spans)
    return store.traces.values.sorted { $0.id < $1.id }
}

/// The rules over real data: counts per rule are kept in golden files and were read
/// by a person — a flood of false positives on real traces is a bug.
@Suite struct InsightsSurveyTests {
    @Test func demoTrafficFindsEveryPlantedBadPracticeAndNoOtherError() {
        var traffic = DemoTraffic(seed: 7)
        var spans: [Span] = []
        for i in 0..<400 { spans += traffic.trace(startingAt: 1_000_000_000_000 + Int64(i) * 1_000_000_000) }
        let all = traces(of: spans)
        let findings = all.flatMap { Insights.check($0) } + Insights.nameCardinality(all)
        print(counts(findings))
        let errors = Set(findings.filter { $0.severity == .error }.map(\.rule))
        #expect(errors == ["sensitive-key", "context-lost-at-service-edge"], "\(errors)")
        let rules = Set(findings.map(\.rule))
        #expect(rules.isSuperset(of: ["span-name-generic", "span-name-high-cardinality", "span-name-cardinality",
                                      "sensitive-key", "context-lost-at-service-edge"]))
        #expect(findings.filter { $0.rule == "span-name-generic" }.allSatisfy { $0.spanName == "handler" })
        #expect(findings.filter { $0.rule == "sensitive-key" }.allSatisfy { $0.message.contains("payment.card_number") && !$0.message.contains("4111") })
        #expect(findings.filter { $0.rule == "context-lost-at-service-edge" }.allSatisfy { $0.spanName == "orders process" })
        #expect(findings.contains { $0.rule == "span-name-cardinality" && $0.spanName == "GET /api/v1/users/{id}/profile" })
    }

    @Test func realFixturesCountsPerRule() throws {
        let root = URL(fileURLWithPath: Paths.fixture(""))
        var files: [String] = []
        for folder in ["otlp", "jaeger-storage-integration", "jaeger-query-api", "jaeger-ui", "jaeger-uimodel"] {
            for f in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path).sorted()
            where !f.contains("quer") { files.append("\(folder)/\(f)") }
        }
        var report = ""
        for file in files {
            let loaded = try FileLoader.load(path: Paths.fixture(file))
            let all = traces(of: loaded.spans)
            let findings = all.flatMap { Insights.check($0) } + Insights.nameCardinality(all)
            report += "== \(file) (\(loaded.spans.count) spans)\n" + (findings.isEmpty ? "" : counts(findings))
        }
        let url = Paths.golden.appendingPathComponent("fixture-findings.txt")
        if ProcessInfo.processInfo.environment["SPANSCOPE_ACCEPT_GOLDEN"] == "1" {
            try report.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(report == (try? String(contentsOf: url, encoding: .utf8)), "Actual:\n\(report)")
    }
}
