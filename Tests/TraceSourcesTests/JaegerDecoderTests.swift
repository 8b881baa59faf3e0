import Foundation
import Testing
import TraceModel
@testable import TraceSources

@Suite struct JaegerDecoderTests {
    func load(_ name: String) throws -> FileLoader.Loaded { try FileLoader.load(path: Fixture.path(name)) }

    @Test func uiModelTraceWithProcessesTagsLogsAndReferences() throws {
        let loaded = try load("jaeger-uimodel/ui_01.json")
        #expect(loaded.issues.isEmpty)
        let trace = Trace(id: TraceID("1")!, spans: loaded.spans)
        let s = try #require(trace.spans.first { $0.name == "some-operation" })
        #expect(s.serviceName == "service-x")
        #expect(s.startTime == 1_485_467_191_639_875_000)
        #expect(s.duration == 5_000)
        #expect(s.attributes[key: "peer.ipv4"] == .int(23456))
        #expect(s.attributes[key: "temperature"] == .double(72.5))
        #expect(s.attributes[key: "peer.service"] == .string("service-y"))
        #expect(s.isError, "error=true becomes an ERROR status")
        #expect(s.attributes[key: "error"] == nil)
        let withLogs = try #require(loaded.spans.first { $0.name == "test-general-conversion" })
        #expect(withLogs.events.map(\.name) == ["some-event", ""])
        #expect(withLogs.events[1].attributes == [Attribute("x", .string("y"))])
    }

    @Test func anonymizerSpanArrayWithInlineProcesses() throws {
        let loaded = try load("jaeger-query-api/trace_success.json")
        #expect(loaded.issues.isEmpty)
        #expect(loaded.spans.count == 2)
        let server = loaded.spans[0], client = loaded.spans[1]
        #expect(server.traceID.hex == "00000000000000002be38093ead7a083")
        #expect(server.kind == .server)
        #expect(server.parentSpanID.hex == "492770a15935810f")
        #expect(server.serviceName == "16af988c443cff37")
        #expect(client.parentSpanID == server.spanID)
        #expect(client.kind == .client)
        #expect(client.isError, "error tag given as the string \"true\"")
        #expect(server.flags == 1)
    }

    @Test func otlpAndJaegerFormsOfOneTraceDecodeTheSame() throws {
        let otlp = try load("jaeger-query-api/otlp2jaeger-in.json")
        let jaeger = try load("jaeger-query-api/otlp2jaeger-out.json")
        #expect(otlp.issues.isEmpty && jaeger.issues.isEmpty)
        try expectSameTraces(otlp.spans, jaeger.spans)
        let multiIn = try load("jaeger-ui/utils_fixtures_otlp2jaeger-multi-in-combined.json")
        let multiOut = try load("jaeger-ui/utils_fixtures_oltp2jaeger-multi-out.json")
        try expectSameTraces(multiIn.spans, multiOut.spans)
    }

    /// Field by field, as far as the Jaeger model carries them (microsecond times).
    func expectSameTraces(_ a: [Span], _ b: [Span], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let byID = Dictionary(b.map { ($0.spanID, $0) }, uniquingKeysWith: { x, _ in x })
        for x in a {
            let y = try #require(byID[x.spanID], sourceLocation: sourceLocation)
            #expect(x.traceID == y.traceID && x.parentSpanID == y.parentSpanID, sourceLocation: sourceLocation)
            #expect(x.name == y.name && x.kind == y.kind, sourceLocation: sourceLocation)
            #expect(x.startTime / 1000 == y.startTime / 1000 && x.duration / 1000 == y.duration / 1000, sourceLocation: sourceLocation)
            #expect(x.status.code == y.status.code && x.status.message == y.status.message, sourceLocation: sourceLocation)
            #expect(x.serviceName == y.serviceName, sourceLocation: sourceLocation)
            #expect(x.scope.name == y.scope.name, sourceLocation: sourceLocation)
            // Jaeger stores every OTLP attribute as a tag of the matching type.
            for attr in x.attributes {
                #expect(y.attributes[key: attr.key] == attr.value, "\(x.name): \(attr.key)", sourceLocation: sourceLocation)
            }
            #expect(x.events.map(\.name) == y.events.map(\.name), sourceLocation: sourceLocation)
            #expect(x.links.map(\.spanID) == y.links.map(\.spanID), sourceLocation: sourceLocation)
        }
    }

    @Test func documentShapesFromTheWebUI() throws {
        let flame = try load("jaeger-ui/components_TracePage_TraceFlamegraph_testTrace.json")
        #expect(flame.issues.isEmpty && flame.spans.count == 4)
        let genai = try load("jaeger-ui/components_TracePage_TraceTimelineViewer_genaiTestTrace.json")
        #expect(genai.issues.isEmpty && genai.spans.count == 57)
        let stats = try load("jaeger-ui/components_TracePage_TraceStatistics_tableValuesTestTrace_spansAmongEachOther.json")
        #expect(stats.issues.isEmpty && stats.spans.count == 12)
        let tree = Trace(id: stats.spans[0].traceID, spans: stats.spans).tree()
        #expect(tree.roots.count == 1 && tree.orphanGroups.isEmpty)
    }

    @Test func brokenJaegerDocumentsAreCountedNotFatal() throws {
        #expect(try load("jaeger-query-api/trace_wrong_format.json").issues.count == 1)
        let invalid = try load("jaeger-query-api/trace_invalid_json.json")
        #expect(invalid.spans.isEmpty && !invalid.issues.isEmpty)
        let errorEnvelope = #"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#
        let r = FileLoader.load(bytes: Array(errorEnvelope.utf8))
        #expect(r.issues.map(\.reason) == ["Jaeger error: trace not found at byte 0"])
    }

    @Test func followsFromBecomesALinkAndSecondChildOfToo() throws {
        let json = #"""
        {"data":[{"traceID":"a1","spans":[{"traceID":"a1","spanID":"3","operationName":"op","startTime":10,"duration":2,
          "references":[{"refType":"FOLLOWS_FROM","traceID":"a1","spanID":"1"},{"refType":"CHILD_OF","traceID":"a1","spanID":"2"},
                        {"refType":"CHILD_OF","traceID":"b2","spanID":"9"}],
          "tags":[{"key":"span.kind","type":"string","value":"producer"},{"key":"otel.status_code","type":"string","value":"ERROR"},
                  {"key":"otel.status_description","type":"string","value":"boom"},{"key":"blob","type":"binary","value":"AQI="}],
          "processID":"p1"}],"processes":{"p1":{"serviceName":"svc","tags":[{"key":"host","type":"string","value":"h1"}]}}}]}
        """#
        let r = FileLoader.load(bytes: Array(json.utf8))
        let s = try #require(r.spans.first)
        #expect(s.parentSpanID == SpanID("2"))
        #expect(s.links.map(\.spanID) == [SpanID("1")!, SpanID("9")!])
        #expect(s.links[0].attributes == [Attribute("opentracing.ref_type", .string("follows_from"))])
        #expect(s.kind == .producer)
        #expect(s.status == SpanStatus(code: .error, message: "boom"))
        #expect(s.attributes == [Attribute("blob", .bytes([1, 2]))])
        #expect(s.resource.attributes == [Attribute("service.name", .string("svc")), Attribute("host", .string("h1"))])
        #expect(s.startTime == 10_000 && s.endTime == 12_000)
    }

    @Test func formatIsRecognisedByContent() throws {
        #expect(try RecordFormat.detect(Array(#"{"resourceSpans":[]}"#.utf8)) == .otlp)
        #expect(try RecordFormat.detect(Array(#"{"result":{"resourceSpans":[]}}"#.utf8)) == .otlp)
        #expect(try RecordFormat.detect(Array(#"{"total":0,"data":[]}"#.utf8)) == .jaeger)
        #expect(try RecordFormat.detect(Array(#"[{"traceID":"1"}]"#.utf8)) == .jaeger)
        #expect(try RecordFormat.detect(Array(#"{"traceID":"1","spans":[]}"#.utf8)) == .jaeger)
    }

    @Test func mutatedJaegerFilesNeverCrash() throws {
        var rng = DemoRandom(seed: 0x1A)
        for name in ["jaeger-uimodel/ui_01.json", "jaeger-query-api/otlp2jaeger-out.json", "jaeger-query-api/trace_success.json"] {
            let original = Fixture.bytes(name)
            for _ in 0..<300 {
                var bytes = original
                switch rng.next() % 3 {
                case 0: bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
                case 1: for _ in 0..<3 { let i = Int(rng.next() % UInt64(bytes.count)); bytes[i] ^= UInt8(1 << (rng.next() % 8)) }
                default: bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
                }
                _ = FileLoader.load(bytes: bytes)
            }
        }
    }
}
