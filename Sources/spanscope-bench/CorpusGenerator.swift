import TraceModel
import TraceSources

/// Writes the benchmark's deterministic OTLP JSON Lines files. Traffic comes from the
/// demo shop (several services, HTTP/DB/cache/messaging spans, errors, orphans), each
/// span topped up to 8–15 attributes of mixed types, some with events and links, and
/// batched per service up to 512 spans a line the way SDK batch processors export.
struct CorpusGenerator {
    private var traffic: DemoTraffic
    private var rng: DemoRandom
    private var clock: Int64 = 1_795_000_000_000_000_000
    private(set) var spansWritten = 0
    private(set) var bytesWritten = 0
    private var pending: [String: [Span]] = [:]
    private var recent: [(TraceID, SpanID)] = []

    init(seed: UInt64) {
        traffic = DemoTraffic(seed: seed)
        rng = DemoRandom(seed: seed ^ 0x5eed)
    }

    /// Mixed traffic until the file reaches `bytes` or holds `spans` spans (whole
    /// traces: the last one may take it a few spans past).
    mutating func writeMixed(to sink: inout FileSink, bytes: Int = .max, spans: Int = .max) {
        var made = 0
        while bytesWritten < bytes && made < spans {
            clock += Int64(rng.below(2_000_000))
            for span in traffic.trace(startingAt: clock) {
                made += 1
                let enriched = enrich(span)
                pending[span.serviceName, default: []].append(enriched)
                if pending[span.serviceName]!.count >= 512 { flush(span.serviceName, to: &sink) }
            }
        }
        for service in pending.keys.sorted() { flush(service, to: &sink) }
    }

    /// One trace of exactly `count` spans: an import job fanning out into batches of
    /// chunks, each writing rows (long runs of same-named siblings) and validating.
    mutating func writeBigTrace(to sink: inout FileSink, spans count: Int) -> TraceID {
        let traceID = TraceID(high: rng.next(), low: rng.next())
        let importer = Resource(attributes: [Attribute("service.name", .string("importer")), Attribute("service.version", .string("2.4.0")),
                                             Attribute("host.name", .string("importer-5d8f")), Attribute("telemetry.sdk.language", .string("go"))])
        let store = Resource(attributes: [Attribute("service.name", .string("object-store")), Attribute("service.version", .string("1.1.0")),
                                          Attribute("host.name", .string("store-9a1c")), Attribute("telemetry.sdk.language", .string("rust"))])
        var batch: [Span] = []
        var made = 0
        let t0 = clock
        func emit(_ span: Span) {
            batch.append(enrich(span))
            made += 1
            if batch.count == 512 {
                write(batch, to: &sink)
                batch.removeAll(keepingCapacity: true)
            }
        }
        func id() -> SpanID { SpanID(rng.next() | 1) }
        // The root ends last, so it is written last, as an SDK's batch processor would;
        // its end is the real end of its subtree.
        let root = id()
        var t = t0 + 100_000
        var batchNumber = 0
        while made < count - 1 {
            let batchID = id()
            let batchStart = t
            let chunks = min(100, max(1, (count - made) / 52))
            batchNumber += 1
            var batchSpans: [Span] = []
            var chunkTime = batchStart + 10_000
            for c in 0..<chunks where made + batchSpans.count < count - 1 {
                let chunkID = id()
                let rows = min(48, count - made - batchSpans.count - 3)
                let chunkStart = chunkTime
                var rowTime = chunkStart + 5_000
                var children: [Span] = []
                for r in 0..<max(0, rows) {
                    let d = Int64(20_000 + rng.below(30_000)) + (rng.below(1000) == 0 ? 40_000_000 : 0)
                    children.append(Span(traceID: traceID, spanID: id(), parentSpanID: chunkID, name: "db.write_row", kind: .client,
                                         startTime: rowTime, endTime: rowTime + d,
                                         attributes: [Attribute("db.system.name", .string("postgresql")), Attribute("db.operation.name", .string("INSERT")),
                                                      Attribute("db.collection.name", .string("items")), Attribute("app.row", .int(Int64(r)))],
                                         resource: importer))
                    rowTime += d + 1_000
                }
                let validateID = id()
                children.append(Span(traceID: traceID, spanID: validateID, parentSpanID: chunkID, name: "validate chunk", kind: .internal,
                                     startTime: rowTime, endTime: rowTime + 200_000, resource: importer))
                children.append(Span(traceID: traceID, spanID: id(), parentSpanID: chunkID, name: "PUT /objects/{key}", kind: .server,
                                     startTime: rowTime + 210_000, endTime: rowTime + 900_000,
                                     status: SpanStatus(code: rng.below(200) == 0 ? .error : .unset, message: ""),
                                     attributes: [Attribute("http.request.method", .string("PUT")), Attribute("http.route", .string("/objects/{key}"))],
                                     resource: store))
                let chunkEnd = rowTime + 1_000_000
                batchSpans.append(Span(traceID: traceID, spanID: chunkID, parentSpanID: batchID, name: "process chunk", kind: .internal,
                                       startTime: chunkStart, endTime: chunkEnd, attributes: [Attribute("app.chunk", .int(Int64(c)))], resource: importer))
                batchSpans += children
                chunkTime = chunkEnd + 2_000
            }
            let batchSpan = Span(traceID: traceID, spanID: batchID, parentSpanID: root, name: "import batch", kind: .internal,
                                 startTime: batchStart, endTime: chunkTime, attributes: [Attribute("app.batch", .int(Int64(batchNumber)))],
                                 resource: importer)
            emit(batchSpan)
            for s in batchSpans where made < count - 1 { emit(s) }
            t = chunkTime + 5_000
        }
        emit(Span(traceID: traceID, spanID: root, name: "import catalog", kind: .server, startTime: t0, endTime: t + 1_000_000,
                  attributes: [Attribute("http.request.method", .string("POST")), Attribute("http.route", .string("/imports"))], resource: importer))
        if !batch.isEmpty { write(batch, to: &sink) }
        clock = t + 1_000_000
        return traceID
    }

    private mutating func flush(_ service: String, to sink: inout FileSink) {
        guard let spans = pending[service], !spans.isEmpty else { return }
        write(spans, to: &sink)
        pending[service] = []
    }

    private mutating func write(_ spans: [Span], to sink: inout FileSink) {
        var line: [UInt8] = []
        line.reserveCapacity(spans.count * 900)
        OTLPJSONEncoder.appendLine(spans, to: &line)
        sink.write(line)
        bytesWritten += line.count
        spansWritten += spans.count
    }

    /// Tops a span up to 8–15 attributes of every type, adds events to some and links
    /// to a few, as instrumented services produce.
    private mutating func enrich(_ span: Span) -> Span {
        var s = span
        let target = 8 + rng.below(8)
        var k = 0
        while s.attributes.count < target {
            switch k % 10 {
            case 0: s.attributes.append(Attribute("network.protocol.version", .string("1.1")))
            case 1: s.attributes.append(Attribute("client.address", .string("10.\(rng.below(255)).\(rng.below(255)).\(rng.below(255))")))
            case 2: s.attributes.append(Attribute("thread.id", .int(Int64(rng.below(64)))))
            case 3: s.attributes.append(Attribute("app.sample.rate", .double(Double(rng.below(1000)) / 1000)))
            case 4: s.attributes.append(Attribute("app.cache.enabled", .bool(rng.below(2) == 0)))
            case 5: s.attributes.append(Attribute("code.function.name", .string(["handle_request", "load_items", "render", "persist"][rng.below(4)])))
            case 6: s.attributes.append(Attribute("app.tenant.id", .string("tenant-\(rng.below(40))")))
            case 7: s.attributes.append(Attribute("app.feature.flags", .array([.string("new-cart"), .string(rng.below(2) == 0 ? "beta-search" : "fast-pay")])))
            case 8: s.attributes.append(Attribute("app.request.size", .int(Int64(rng.below(100_000)))))
            default: s.attributes.append(Attribute("thread.name", .string("worker-\(rng.below(16))")))
            }
            k += 1
        }
        if rng.below(5) == 0 {
            s.events.append(SpanEvent(time: s.startTime + s.duration / 3, name: "cache.lookup",
                                      attributes: [Attribute("cache.hit", .bool(rng.below(3) != 0)), Attribute("cache.key.count", .int(Int64(rng.below(20))))]))
        }
        if rng.below(33) == 0, let target = recent.isEmpty ? nil : recent[rng.below(recent.count)] {
            s.links.append(SpanLink(traceID: target.0, spanID: target.1, attributes: [Attribute("link.reason", .string("batched"))]))
        }
        if recent.count < 64 { recent.append((s.traceID, s.spanID)) } else { recent[rng.below(64)] = (s.traceID, s.spanID) }
        return s
    }
}
