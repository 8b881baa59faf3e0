import TraceModel

func tid(_ hex: String) -> TraceID { TraceID(hex)! }
func sid(_ hex: String) -> SpanID { SpanID(hex)! }

func span(_ id: String, parent: String = "", trace: String = "1", name: String? = nil, service: String = "svc",
          start: Int64, end: Int64, error: Bool = false) -> Span {
    Span(traceID: tid(trace), spanID: sid(id), parentSpanID: parent.isEmpty ? .zero : sid(parent),
         name: name ?? "op-\(id)", startTime: start, endTime: end,
         status: SpanStatus(code: error ? .error : .unset), resource: Resource(serviceName: service))
}
