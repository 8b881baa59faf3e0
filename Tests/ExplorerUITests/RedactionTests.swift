import Testing
import TraceInsights
import TraceModel
@testable import ExplorerUI

/// Secrets in span attributes are masked in the detail by default, `R` reveals one
/// span's, moving on hides them again, and masked values are never copied.
@Suite struct RedactionTests {
    func state() -> AppState {
        let secret = span("a", "1", name: "charge", service: "payment", start: 0, end: 10, attributes: [
            Attribute("payment.card_number", .string("4111 1111 1111 1111")),
            Attribute("http.request.header.authorization", .string("Bearer abcdefghijklmnopqrstuvwxyz")),
            Attribute("contact", .string("alice@example.com")),
            Attribute("token.count", .int(3)),
            Attribute("nested", .keyValueList([Attribute("password", .string("hunter2"))])),
            Attribute("route", .string("/api/pay")),
        ])
        var s = AppState(store: TraceStore(), sourceName: "t", width: 140, height: 40)
        s.update(.spans([secret, span("a", "2", parent: "1", name: "db", start: 1, end: 5)]))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("a")!)
        return s
    }

    /// Every line of the selected span's detail, as the pane would show them scrolled.
    func detail(_ s: AppState) -> String {
        let w = s.waterfall!
        return DetailView.lines(for: w.selectedSpan!, in: w.trace, width: 80, redact: s.redacts(w.selectedSpan!)).map(\.text).joined(separator: "\n")
    }

    @Test func maskedByDefaultRevealedForOneSpan() {
        var s = state()
        #expect(render(s).text.contains("4 secret-looking values hidden"))
        var screen = detail(s)
        for secret in ["4111", "abcdefghij", "alice@example.com", "hunter2"] { #expect(!screen.contains(secret), "\(secret) on screen") }
        #expect(screen.contains("•••• (redacted: card number)"))
        #expect(screen.contains("/api/pay") && screen.contains("token.count"), "ordinary values and counts stay")
        s.press(.char("R"))
        screen = detail(s)
        #expect(screen.contains("4111 1111 1111 1111") && screen.contains("hunter2"))
        s.press(.down, .up)
        #expect(!detail(s).contains("4111"), "moving away hides them again")
    }

    @Test func maskedValuesAreNotCopied() {
        var s = state()
        s.press(.tab)
        let lines = DetailView.lines(for: s.waterfall!.selectedSpan!, in: s.waterfall!.trace, width: 60)
        let masked = lines.filter { $0.text.contains("redacted") }
        #expect(masked.count == 4)
        #expect(masked.allSatisfy { $0.copyValue == nil })
    }

    @Test func noRedactShowsEverything() {
        var s = state()
        s.redact = false
        #expect(detail(s).contains("4111 1111 1111 1111"))
        s.press(.char("R"))
        #expect(s.message?.contains("--no-redact") == true)
    }

    @Test func detectorKinds() {
        #expect(Redaction.kind(key: "api_key", value: .string("x")) == "api key")
        #expect(Redaction.kind(key: "password.set", value: .bool(true)) == nil)
        #expect(Redaction.kind(key: "list", value: .array([.string("ok"), .string("AKIAIOSFODNN7EXAMPLE")])) == "AWS access key")
        #expect(Redaction.kind(key: "order.id", value: .string("1234567890123")) == nil, "not Luhn-valid")
    }
}

/// `secret-keys += pin` in the config masks `pin` values in the explorer too.
@Suite struct ConfiguredRedactionTests {
    @Test func configuredSecretKeysAreMasked() throws {
        var config = InsightConfig()
        config = try InsightConfig.parse("secret-keys += pin\n", source: "test.conf")
        let s1 = span("c", "1", name: "unlock", start: 0, end: 10, attributes: [Attribute("door.pin", .string("4821"))])
        var s = AppState(store: TraceStore(), sourceName: "t", width: 140, height: 40)
        s.update(.spans([s1]))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("c")!)
        #expect(render(s).text.contains("4821"), "not a secret by default")
        s.insightConfig = config
        s.openTrace(TraceID("c")!)
        let screen = render(s).text
        #expect(!screen.contains("4821") && screen.contains("1 secret-looking value hidden"), "\(screen)")
    }
}
