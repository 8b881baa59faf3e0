import Foundation
import Testing
import TraceModel
@testable import TraceSources

@Suite struct OTLPDecoderTests {
    @Test func pythonSDKFileExporterLines() throws {
        let loaded = try FileLoader.load(path: Fixture.path("otlp/python-sdk-file-exporter.jsonl"))
        #expect(loaded.issues.isEmpty)
        #expect(loaded.spans.count == 3)
        let trace = Trace(id: loaded.spans[0].traceID, spans: loaded.spans)
        #expect(trace.id.hex == "2853b91a375aa28ba20bb50edf4f6bc8")
        let root = try #require(trace.rootSpan)
        #expect(root.name == "http.get_user_profile")
        #expect(root.spanID.hex == "870a2c3180100f11")
        #expect(root.kind == .server)
        #expect(root.startTime == 1_795_559_836_427_527_031)
        #expect(root.endTime == 1_795_559_836_428_104_200)
        #expect(root.attributes[key: "http.response.status_code"] == .int(200))
        #expect(root.resource.serviceName == "user-service")
        #expect(root.resource.attributes[key: "service.version"] == .string("1.2.3"))
        #expect(root.scope.name == "demo")
        #expect(root.flags == 256)
        let children = trace.tree().children[trace.index(of: root.spanID)!].map { trace.spans[$0].name }
        #expect(children == ["db.select_users", "order.payment.charge"])
        let charge = try #require(trace.spans.first { $0.name == "order.payment.charge" })
        #expect(charge.status == SpanStatus(code: .error, message: "card declined"))
        #expect(charge.events.count == 1)
        #expect(charge.events[0].name == "exception")
        #expect(charge.events[0].time == 1_795_559_836_428_067_846)
        #expect(charge.events[0].attributes[key: "exception.stacktrace"]?.stringValue?.contains("line 17") == true)
        let db = try #require(trace.spans.first { $0.name == "db.select_users" })
        #expect(db.kind == .client)
        #expect(db.events[0].attributes[key: "count"] == .int(3))
    }

    @Test func protoExamplePrettyDocument() throws {
        let loaded = try FileLoader.load(path: Fixture.path("otlp/opentelemetry-proto-examples-trace.json"))
        #expect(loaded.issues.isEmpty)
        let s = try #require(loaded.spans.first)
        #expect(loaded.spans.count == 1)
        #expect(s.traceID.hex == "5b8efff798038103d269b633813fc60c")
        #expect(s.spanID.hex == "eee19b7ec3c1b174")
        #expect(s.parentSpanID.hex == "eee19b7ec3c1b173")
        #expect(s.name == "I'm a server span")
        #expect(s.startTime == 1_544_712_660_000_000_000 && s.endTime == 1_544_712_661_000_000_000)
        #expect(s.resource.serviceName == "my.service")
        #expect(s.scope == InstrumentationScope(name: "my.library", version: "1.0.0",
                                                attributes: [Attribute("my.scope.attribute", .string("some scope attribute"))]))
        #expect(s.attributes == [Attribute("my.span.attr", .string("some value"))])
    }

    @Test func everyJaegerStorageFixtureLoadsCleanly() throws {
        var total = 0
        for file in Fixture.files(in: "jaeger-storage-integration") where !file.contains("queries") {
            let loaded = try FileLoader.load(path: Fixture.path(file))
            #expect(loaded.issues.isEmpty, "\(file): \(loaded.issues)")
            #expect(!loaded.spans.isEmpty, "\(file)")
            total += loaded.spans.count
        }
        #expect(total >= 33)
    }

    @Test func storageFixturesCarryTypedAttributesEventsAndLinks() throws {
        let tags = try FileLoader.load(path: Fixture.path("jaeger-storage-integration/span_tags_trace.json")).spans
        let all = tags.flatMap(\.attributes).map(\.value.typeName)
        #expect(Set(all).isSuperset(of: ["string", "bool", "int", "double"]), "\(Set(all))")
        let links = try FileLoader.load(path: Fixture.path("jaeger-storage-integration/link_attributes_trace.json")).spans
        #expect(links.contains { !$0.links.isEmpty && !$0.links[0].attributes.isEmpty })
        let logs = try FileLoader.load(path: Fixture.path("jaeger-storage-integration/log_tags_trace.json")).spans
        #expect(logs.contains { $0.events.contains { !$0.attributes.isEmpty } })
        let scope = try FileLoader.load(path: Fixture.path("jaeger-storage-integration/scope_name_version_trace.json")).spans
        #expect(scope.contains { !$0.scope.name.isEmpty && !$0.scope.version.isEmpty })
    }

    @Test func jaegerMemoryStoreOTLPFixture() throws {
        let loaded = try FileLoader.load(path: Fixture.path("jaeger-uimodel/otel_traces_01.json"))
        #expect(loaded.issues.isEmpty)
        #expect(!loaded.spans.isEmpty)
    }

    @Test func everyAnyValueVariantNested() throws {
        let json = #"""
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"n","startTimeUnixNano":5,"endTimeUnixNano":"7",
         "attributes":[
          {"key":"s","value":{"stringValue":"a\"b\u00e9\ud83d\ude00"}},
          {"key":"b","value":{"boolValue":true}},
          {"key":"i","value":{"intValue":"-9223372036854775808"}},
          {"key":"i2","value":{"intValue":42}},
          {"key":"d","value":{"doubleValue":1.5e3}},
          {"key":"nan","value":{"doubleValue":"NaN"}},
          {"key":"inf","value":{"doubleValue":"-Infinity"}},
          {"key":"bytes","value":{"bytesValue":"AQID"}},
          {"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"1"},{"arrayValue":{}}]}}},
          {"key":"kv","value":{"kvlistValue":{"values":[{"key":"inner","value":{"boolValue":false}}]}}},
          {"key":"empty","value":{}},
          {"key":"nul","value":null}
         ],
         "status":{"code":"STATUS_CODE_ERROR","message":"m"},"unknownField":{"deep":[1,2,{"x":null}]}}]}]}]}
        """#
        let record = try OTLPJSONDecoder().decode(json)
        let a = try #require(record.spans.first).attributes
        #expect(a[key: "s"] == .string("a\"bé😀"))
        #expect(a[key: "b"] == .bool(true))
        #expect(a[key: "i"] == .int(.min))
        #expect(a[key: "i2"] == .int(42))
        #expect(a[key: "d"] == .double(1500))
        #expect(a[key: "nan"]?.displayText == "NaN")
        #expect(a[key: "inf"] == .double(-.infinity))
        #expect(a[key: "bytes"] == .bytes([1, 2, 3]))
        #expect(a[key: "arr"] == .array([.string("x"), .int(1), .array([])]))
        #expect(a[key: "kv"] == .keyValueList([Attribute("inner", .bool(false))]))
        #expect(a[key: "empty"] == .empty)
        #expect(a[key: "nul"] == .empty)
        #expect(record.spans[0].status == SpanStatus(code: .error, message: "m"))
        #expect(record.spans[0].startTime == 5 && record.spans[0].endTime == 7)
        #expect(record.spans[0].resource.serviceName == "unknown_service")
    }

    @Test func olderInstrumentationLibrarySpansAndBase64Ids() throws {
        let json = #"""
        {"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old","version":"0.1"},
         "spans":[{"traceId":"AAECAwQFBgcICQoLDA0ODw==","spanId":"AAECAwQFBgc=","name":"legacy"}]}],
         "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late-resource"}}]}}]}
        """#
        let s = try #require(try OTLPJSONDecoder().decode(json).spans.first)
        #expect(s.traceID.hex == "000102030405060708090a0b0c0d0e0f")
        #expect(s.spanID.hex == "0001020304050607")
        #expect(s.scope.name == "old")
        #expect(s.resource.serviceName == "late-resource")
    }

    /// Spans are built holding their batch's origin when the resource and scope come
    /// first (what exporters write); a resource or scope that follows its spans, or is
    /// given twice (the last wins), still reaches every span of its batch.
    @Test func everyPlacementOfResourceAndScopeReachesItsSpans() throws {
        func resource(_ name: String) -> String {
            #""resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(name)"}}]}"#
        }
        func scope(_ name: String) -> String { #""scope":{"name":"\#(name)"}"# }
        func spans(_ ids: [Int]) -> String {
            #""spans":["# + ids.map { #"{"traceId":"01","spanId":"\#(String(format: "%02x", $0))","name":"s\#($0)"}"# }.joined(separator: ",") + "]"
        }
        let cases: [(json: String, expected: [String])] = [
            // Exporters' order: resource, then scope, then spans.
            ("{\(resource("r"))," + #""scopeSpans":[{"# + "\(scope("a")),\(spans([1, 2]))},{\(scope("b")),\(spans([3]))}]}",
             ["s1 r a", "s2 r a", "s3 r b"]),
            // The scope after its spans.
            ("{\(resource("r"))," + #""scopeSpans":[{"# + "\(spans([1])),\(scope("late"))},{\(scope("b")),\(spans([2]))}]}",
             ["s1 r late", "s2 r b"]),
            // The resource after the spans, and no scope at all.
            (#"{"scopeSpans":[{"# + "\(spans([1]))},{\(scope("b")),\(spans([2]))}],\(resource("late"))}",
             ["s1 late ", "s2 late b"]),
            // Two resources: the last one given wins, for spans on either side of it.
            ("{\(resource("first"))," + #""scopeSpans":[{"# + "\(scope("a")),\(spans([1]))}],\(resource("second"))}",
             ["s1 second a"]),
            // A batch's spans in two arrays, its scope between them.
            ("{\(resource("r"))," + #""scopeSpans":[{"# + "\(spans([1])),\(scope("mid")),\(spans([2]))}]}",
             ["s1 r mid", "s2 r mid"]),
        ]
        for (body, expected) in cases {
            let json = #"{"resourceSpans":["# + body + "]}"
            let record = try OTLPJSONDecoder().decode(json)
            #expect(record.spans.map { "\($0.name) \($0.resource.serviceName) \($0.scope.name)" } == expected, "\(json)")
            // One shared origin per batch.
            let byScope = Dictionary(grouping: record.spans, by: { $0.scope.name })
            for (_, batch) in byScope {
                #expect(Set(batch.map { $0.resource.identity }).count == 1, "\(json)")
            }
        }
    }

    @Test func aSpanWithABadIdIsSkippedAndReportedButItsNeighboursLoad() throws {
        let json = #"""
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"zz","spanId":"01","name":"bad"},{"traceId":"01","spanId":"02","name":"good"},{"traceId":"01","name":"no-id"}]}]}]}
        """#
        let r = try OTLPJSONDecoder().decode(json)
        #expect(r.spans.map(\.name) == ["good"])
        #expect(r.problems.count == 2)
    }

    @Test func pythonSDKProducerRoundTripsExactly() throws {
        let out = tempPath("sdk.jsonl")
        let script = Fixture.path("tools/produce_sdk_trace.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, out]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let manifestData = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0,
                     "the OpenTelemetry Python SDK is needed: pip install opentelemetry-sdk opentelemetry-exporter-otlp-json-file (.ci/run does)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]])
        let loaded = try FileLoader.load(path: out)
        #expect(loaded.issues.isEmpty)
        #expect(loaded.spans.count == manifest.count)
        var store = TraceStore()
        store.add(loaded.spans)
        for entry in manifest {
            let id = try #require(TraceID(entry["traceId"] as! String))
            let trace = try #require(store.trace(id))
            let span = try #require(trace.span(SpanID(entry["spanId"] as! String)!))
            #expect(span.name == entry["name"] as! String)
            #expect(span.serviceName == entry["service"] as! String)
            #expect((span.parentSpanID.isZero ? "" : span.parentSpanID.hex) == entry["parentSpanId"] as! String)
            #expect(span.startTime == (entry["start"] as! NSNumber).int64Value)
            #expect(span.endTime == (entry["end"] as! NSNumber).int64Value)
            #expect(span.events.map(\.name) == entry["events"] as! [String])
            #expect(span.links.count == entry["links"] as! Int)
            #expect((span.status.code == .error) == ((entry["status"] as! String) == "ERROR"))
            let attrs = entry["attributes"] as! [String: Any]
            #expect(span.attributes.count == attrs.count)
            for (key, typed) in attrs {
                let pair = typed as! [Any]
                let got = try #require(span.attributes[key: key], "\(key)")
                #expect(got.typeName == pair[0] as! String, "\(key)")
                switch got {
                case .string(let v): #expect(v == pair[1] as! String)
                case .bool(let v): #expect(v == (pair[1] as! NSNumber).boolValue)
                case .int(let v): #expect(v == (pair[1] as! NSNumber).int64Value)
                case .double(let v): #expect(v == (pair[1] as! NSNumber).doubleValue)
                case .array(let xs): #expect(xs.count == (pair[1] as! [Any]).count)
                default: Issue.record("unexpected value type for \(key)")
                }
            }
        }
        // Tree shape: root → GET → GET /orders/{id} → [SELECT orders, payments.authorize].
        let checkout = try #require(store.traceSummaries().first { $0.rootName == "GET /api/orders/{id}" })
        let trace = store.trace(checkout.traceID)!
        let tree = trace.tree()
        func names(_ i: Int) -> [String] { tree.children[i].map { trace.spans[$0].name } }
        let root = tree.roots[0]
        #expect(names(root) == ["GET"])
        let handler = tree.children[tree.children[root][0]][0]
        #expect(trace.spans[handler].name == "GET /orders/{id}")
        #expect(names(handler) == ["SELECT orders", "payments.authorize"])
        #expect(trace.services == ["api-gateway", "orders", "payments"])
        #expect(trace.spans[root].links.first?.attributes[key: "link.reason"] == .string("cart checkout"))
        #expect(trace.spans[root].attributes[key: "tags"] == .array([.string("checkout"), .string("mobile"), .string("ünïcødé 注文")]))
    }
}

@Suite struct OTLPAttributeDecodingTests {
    private func attributes(_ values: String) throws -> [Attribute] {
        let line = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"s","attributes":["# + values + "]}]}]}]}"
        let record = try OTLPJSONDecoder().decode(line)
        return Array(try #require(record.spans.first).attributes)
    }

    /// Plain strings are copied as bytes into the packed list; escaped ones, strings
    /// nested in arrays and maps, and a value object naming two variants (the last wins,
    /// as elsewhere) must come out the same as any other path.
    @Test func stringValuesEveryWay() throws {
        let got = try attributes("""
            {"key":"plain","value":{"stringValue":"GET /api"}},
            {"key":"escaped","value":{"stringValue":"a\\"b\\u00e9\\n"}},
            {"key":"then.int","value":{"stringValue":"x","intValue":"5"}},
            {"key":"then.string","value":{"intValue":"5","stringValue":"y"}},
            {"value":{"stringValue":"no key"}},
            {"key":"nested","value":{"arrayValue":{"values":[{"stringValue":"in array"},{"kvlistValue":{"values":[{"key":"m","value":{"stringValue":"in map"}}]}}]}}},
            {"key":"utf8","value":{"stringValue":"注文 ✓"}},
            {"key":"empty","value":{"stringValue":""}}
            """)
        #expect(got == [
            Attribute("plain", .string("GET /api")),
            Attribute("escaped", .string("a\"bé\n")),
            Attribute("then.int", .int(5)),
            Attribute("then.string", .string("y")),
            Attribute("", .string("no key")),
            Attribute("nested", .array([.string("in array"), .keyValueList([Attribute("m", .string("in map"))])])),
            Attribute("utf8", .string("注文 ✓")),
            Attribute("empty", .string("")),
        ])
    }

    /// The same text with a space after every `{`, `,` and `:` outside strings: the
    /// compact-form fast path never matches it, so it goes the general way.
    static func spaced(_ json: String) -> String {
        var out = "", inString = false, escaped = false
        for c in json {
            out.append(c)
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "{" || c == "," || c == ":" {
                out.append(" ")
            }
        }
        return out
    }

    /// Attribute objects as SDKs write them take a fast path that matches their fixed
    /// parts in place. Against the general path (the same records spaced out), over
    /// random lists and every odd form: the same spans, or the same error.
    /// The general path writes values as it reads them: arrays of any length (their
    /// count is filled in afterwards, and a count past 127 takes more bytes), arrays
    /// inside arrays, maps and bytes inside arrays, a value before its key, and the
    /// last value field of an object winning over earlier ones, nested too.
    @Test func generalPathStreamsArraysAndKeepsTheLastField() throws {
        func ints(_ n: Int) -> String { (0..<n).map { #"{"intValue":"\#($0)"}"# }.joined(separator: ",") }
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"s","attributes":["#
            + [
                #"{"key":"a200", "value":{"arrayValue":{"values":["# + ints(200) + "]}}}",
                #"{"key":"a20000", "value":{"arrayValue":{"values":["# + ints(20000) + "]}}}",
                #"{"value": {"arrayValue":{"values":[{"arrayValue":{"values":[{"boolValue":true}]}},{"kvlistValue":{"values":[{"value":{"intValue":"1"},"key":"k"}]}},{"bytesValue":"AQI="},{}]}}, "key":"nested"}"#,
                #"{"key":"last", "value":{"stringValue":"first","arrayValue":{"values":[{"intValue":"1"}]},"doubleValue":2.5}}"#,
                #"{"key":"lastArray", "value":{"intValue":"3","arrayValue":{"values":[{"stringValue":"x","boolValue":false}]}}}"#,
                #"{"key":"twice", "value":{"stringValue":"old"}, "value":{"intValue":"9"}}"#,
                #"{"key":"after", "value":{"stringValue":"still read"}}"#,
            ].joined(separator: ",") + "]}]}]}]}"
        let a = try #require(try OTLPJSONDecoder().decode(json).spans.first).attributes
        #expect(a[key: "a200"] == .array((0..<200).map { .int(Int64($0)) }))
        #expect(a[key: "a20000"] == .array((0..<20000).map { .int(Int64($0)) }))
        #expect(a[key: "nested"] == .array([.array([.bool(true)]), .keyValueList([Attribute("k", .int(1))]), .bytes([1, 2]), .empty]))
        #expect(a[key: "last"] == .double(2.5))
        #expect(a[key: "lastArray"] == .array([.bool(false)]))
        #expect(a[key: "twice"] == .int(9))
        #expect(a[key: "after"] == .string("still read"))
        #expect(a.keys == ["a200", "a20000", "nested", "last", "lastArray", "twice", "after"])
    }

    /// A span's fields are tried in exporters' order as literals; any other order, a
    /// repeated or unknown field, a null or spacing reads the same through the general path.
    @Test func spanFieldsReadTheSameInAnyOrder() throws {
        let fields = [
            #""traceId":"0af7651916cd43dd8448eb211c80319c""#, #""spanId":"b7ad6b7169203331""#,
            #""traceState":"k=v""#, #""parentSpanId":"00f067aa0ba902b7""#, #""flags":257"#,
            #""name":"GET /x""#, #""kind":2"#, #""startTimeUnixNano":"1795000000000000001""#,
            #""endTimeUnixNano":"1795000000500000000""#,
            #""attributes":[{"key":"a","value":{"intValue":"1"}}]"#,
            #""events":[{"timeUnixNano":"1795000000000000002","name":"e"}]"#,
            #""links":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7"}]"#,
            #""status":{"code":2,"message":"boom"}"#,
        ]
        func decode(_ body: [String]) -> String {
            let text = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"# + body.joined(separator: ",") + "}]}]}]}"
            do { return "\(try OTLPJSONDecoder().decode(text).spans)" } catch { return "error" }
        }
        let canonical = decode(fields)
        let span = try #require(try OTLPJSONDecoder().decode(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"# + fields.joined(separator: ",") + "}]}]}]}").spans.first)
        #expect(span.name == "GET /x" && span.kind == .server && span.flags == 257 && span.traceState == "k=v")
        #expect(span.status == SpanStatus(code: .error, message: "boom") && span.events.count == 1 && span.links.count == 1)
        #expect(span.parentSpanID == SpanID(0x00f0_67aa_0ba9_02b7) && span.endTime - span.startTime == 499_999_999)
        #expect(span.attributes[key: "a"] == .int(1))
        var rng = DemoRandom(seed: 0x5BA4)
        for round in 0..<200 {
            var body = fields
            for i in body.indices.reversed() { body.swapAt(i, rng.below(i + 1)) }
            if round % 3 == 0 { body.insert(#""unknown":{"x":[1,2]}"#, at: rng.below(body.count + 1)) }
            if round % 5 == 0 { body.insert(#""name":null"#, at: rng.below(body.count + 1)) }
            let text = decode(body)
            #expect(text == canonical, "\(body)")
            #expect(decode(body.map { $0.replacingOccurrences(of: "\":", with: "\": ") }) == canonical, "\(body)")
        }
        // Events too: their three fields in every order, spaced or not, with an unknown one.
        let eventFields = [#""timeUnixNano":"1795000000000000002""#, #""name":"e""#, #""attributes":[{"key":"k","value":{"boolValue":true}}]"#, #""x":1"#]
        func events(_ order: [Int]) -> String {
            decode(Array(fields[0..<9]) + [#""events":[{"# + order.map { eventFields[$0] }.joined(separator: ",") + "}]"])
        }
        let inOrder = events([0, 1, 2])
        for order in [[0, 2, 1], [1, 0, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1], [3, 0, 1, 2], [0, 3, 1, 2], [0, 1, 3, 2]] {
            #expect(events(order) == inOrder, "\(order)")
        }
        let withEvent = try #require(try OTLPJSONDecoder().decode(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"# + (Array(fields[0..<9]) + [#""events":[{"# + eventFields[0..<3].joined(separator: ",") + "}]"]).joined(separator: ",") + "}]}]}]}").spans.first)
        #expect(withEvent.events.map(\.name) == ["e"] && withEvent.events.first?.time == 1_795_000_000_000_000_002)
        #expect(withEvent.events.first?.attributes[key: "k"] == .bool(true))

        // The last of a repeated field wins, guessed or not.
        #expect(decode(fields + [#""name":"later""#]).contains("later"))
        #expect(decode(Array(fields[0..<5]) + [#""name":"first""#] + Array(fields[5...])).contains("GET /x"))
    }

    @Test func compactAttributesReadAsTheGeneralPathReadsThem() throws {
        var rng = DemoRandom(seed: 0xFA57)
        let odd = [
            #"{"key":"a","value":{"stringValue":"x","intValue":"3"}}"#,
            #"{"key":"a","value":{"stringValue":null}}"#,
            #"{"key":"a","value":{}}"#,
            #"{"key":"a","value":null}"#,
            #"{"value":{"intValue":"7"},"key":"late"}"#,
            #"{"key":"esc\"aped","value":{"boolValue":true}}"#,
            #"{"key":"k","value":{"stringValue":"v\u00e9"}}"#,
            #"{"key":"k","value":{"intValue":12}}"#,
            #"{"key":"k","value":{"intValue":"-9223372036854775808"}}"#,
            #"{"key":"k","value":{"intValue":"99999999999999999999"}}"#,
            #"{"key":"k","value":{"doubleValue":"NaN"}}"#,
            #"{"key":"k","value":{"doubleValue":1e999}}"#,
            #"{"key":"k","value":{"boolValue":"true"}}"#,
            #"{"key":"k","value":{"StringValue":"case"}}"#,
            #"{"key":"k","value":{"bytesValue":"AAEC"}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"intValue":"1"}]}}}"#,
            #"{"key":"k","value":{"stringValue":"unterminated}}"#,
            #"{"key":"k","value":{"intValue":"1"}}  "#,
            #"{"key":"k","value":{"intValue":"1"},"extra":1}"#,
            #"{"key":"\#u{7}ctl","value":{"stringValue":"\#u{7}"}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"arrayValue":{"values":[{"intValue":"1"}]}}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a","intValue":"2"}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a"},]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[null]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a"}],"extra":1}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"intValue":"x"}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"bytesValue":"AAEC"}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"esc\"aped"}]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"a"}]},"intValue":"5"}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"unterminated]}}}"#,
            #"{"key":"k","value":{"arrayValue":{"values":["# + (0..<130).map { #"{"intValue":"\#($0)"}"# }.joined(separator: ",") + "]}}}",
        ]
        let plain = [
            #"{"key":"http.route","value":{"stringValue":"/api/users/{id}"}}"#,
            #"{"key":"n","value":{"intValue":"200"}}"#,
            #"{"key":"d","value":{"doubleValue":0.459}}"#,
            #"{"key":"b","value":{"boolValue":false}}"#,
            #"{"key":"","value":{"stringValue":""}}"#,
            #"{"key":"long.key.name.past.eight.bytes","value":{"stringValue":"注文 ✓ and more text"}}"#,
            #"{"key":"flags","value":{"arrayValue":{"values":[{"stringValue":"new-cart"},{"intValue":"3"},{"boolValue":true},{"doubleValue":1.5}]}}}"#,
            #"{"key":"none","value":{"arrayValue":{"values":[]}}}"#,
        ]
        func record(_ attributes: [String]) -> String {
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"s","attributes":["#
                + attributes.joined(separator: ",") + "]}]}]}]}"
        }
        func outcome(_ text: String) -> String {
            do { return "\(try OTLPJSONDecoder().decode(text).spans)" } catch { return "error" }
        }
        for round in 0..<400 {
            let picks = (0..<rng.below(8)).map { _ in rng.below(4) == 0 ? odd[rng.below(odd.count)] : plain[rng.below(plain.count)] }
            let text = record(picks)
            #expect(outcome(text) == outcome(Self.spaced(text)), "round \(round): \(picks)")
        }
        for o in odd {
            #expect(outcome(record([plain[0], o, plain[1]])) == outcome(Self.spaced(record([plain[0], o, plain[1]]))), "\(o)")
        }
        // And the fast path is taken: a plain list decodes to exactly its values.
        let got = try #require(try OTLPJSONDecoder().decode(record(plain)).spans.first).attributes
        #expect(Array(got) == [Attribute("http.route", .string("/api/users/{id}")), Attribute("n", .int(200)),
                               Attribute("d", .double(0.459)), Attribute("b", .bool(false)), Attribute("", .string("")),
                               Attribute("long.key.name.past.eight.bytes", .string("注文 ✓ and more text")),
                               Attribute("flags", .array([.string("new-cart"), .int(3), .bool(true), .double(1.5)])),
                               Attribute("none", .array([]))])
    }
}
