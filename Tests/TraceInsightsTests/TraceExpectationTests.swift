import Testing
import TraceModel
@testable import TraceInsights

@Suite struct TraceExpectationTests {
    @Test func parsing() {
        #expect(TraceExpectation.span("checkout:payment.charge") == .span(service: "checkout", name: "payment.charge"))
        #expect(TraceExpectation.span("GET /a:b") == .span(service: nil, name: "GET /a:b"))
        #expect(TraceExpectation.attribute("api:GET /users/{id}:http.route=/users/{id}")
                == .attribute(service: "api", name: "GET /users/{id}", key: "http.route", value: "/users/{id}"))
        #expect(TraceExpectation.attribute("db.select:db.system.name=postgresql")
                == .attribute(service: nil, name: "db.select", key: "db.system.name", value: "postgresql"))
        #expect(TraceExpectation.attribute("novalue") == nil)
        #expect(TraceExpectation.child("a>b") == .child(parent: "a", child: "b"))
        #expect(TraceExpectation.child(">b") == nil)
    }

    @Test func evaluation() {
        let spans = [mk("1", name: "root", kind: .server, service: "api"),
                     mk("2", parent: "1", name: "db.select", service: "api", attributes: [Attribute("db.system.name", .string("postgresql"))])]
        let traces = [Trace(id: TraceID("1")!, spans: spans)]
        #expect(TraceExpectation.span(service: "api", name: "root").evaluate(traces).passed)
        let wrongService = TraceExpectation.span(service: "web", name: "root").evaluate(traces)
        #expect(!wrongService.passed && wrongService.detail == "found in service api, not web")
        #expect(TraceExpectation.span(service: nil, name: "db.selct").evaluate(traces).detail == "closest: api:db.select")
        #expect(TraceExpectation.child(parent: "root", child: "db.select").evaluate(traces).passed)
        #expect(!TraceExpectation.child(parent: "db.select", child: "root").evaluate(traces).passed)
        #expect(TraceExpectation.traces(1).evaluate(traces).passed)
        #expect(editDistance("kitten", "sitting") == 3)
    }
}
