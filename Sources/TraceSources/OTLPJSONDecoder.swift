import TraceModel

/// What one record (a line, or a whole document) decoded to.
public struct DecodedRecord: Sendable {
    public var spans: [Span] = []
    /// Spans skipped inside an otherwise good record (e.g. an unreadable id).
    public var problems: [String] = []
}

/// Decodes OTLP/JSON (`ExportTraceServiceRequest`, or Jaeger API v3's `{"result": …}`
/// envelope around one) straight from bytes into spans, as the OTLP spec's JSON
/// encoding defines it: lowerCamelCase names, hex ids (base64 accepted), int64 as
/// strings or numbers, enums as integers, unknown fields ignored.
public final class OTLPJSONDecoder {
    private let interner = StringInterner()
    /// Attribute keys' numbers in `AttributeKeys` plus one (0: none, the text is
    /// written inline), one shared-table lookup per distinct key.
    private let keys = Interner<UInt32>(capacity: 1 << 16) { AttributeKeys.id($0).map { $0 + 1 } ?? 0 }
    /// For each key entry, the entry of the key that followed it last time (direct-mapped):
    /// spans of a kind repeat their keys in the same order, so most keys are found
    /// by one comparison instead of a hash lookup.
    /// A plain allocation, not an array: written for every attribute, an array checks
    /// it is uniquely held on each write.
    private let nextKeyHint = OTLPJSONDecoder.hintTable()
    private static var keyHintSlots: Int { 1024 }

    /// A direct-mapped table of entry numbers, none yet.
    private static func hintTable() -> UnsafeMutablePointer<Int32> {
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: keyHintSlots)
        table.initialize(repeating: -1, count: keyHintSlots)
        return table
    }
    /// String values' `AttributeStrings` numbers plus one (0: the value stays inline),
    /// one shared-table lookup per distinct value.
    private let sharedValues = Interner<UInt32>(capacity: 1 << 16) { _ in 0 }
    /// For each key (by number plus one, direct-mapped), the entry of its last value:
    /// many keys hold the same few values span after span.
    private let valueHint = OTLPJSONDecoder.hintTable()
    /// Keys (by number plus one) whose new values `AttributeStrings` no longer numbers:
    /// their values are written inline without a lookup (addresses, user ids).
    private let keyValuesInline: UnsafeMutablePointer<Bool> = {
        let flags = UnsafeMutablePointer<Bool>.allocate(capacity: AttributeKeys.capacity + 1)
        flags.initialize(repeating: false, count: AttributeKeys.capacity + 1)
        return flags
    }()
    /// The last trace id read from 32 hex digits, and those digits.
    @exclusivity(unchecked) private var lastTraceID: TraceID?
    @exclusivity(unchecked) private var lastTraceDigits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// For each span name entry, the entry of the name that followed it last time (as
    /// `nextKeyHint` does for keys), and the last name's entry.
    private let nextNameHint = OTLPJSONDecoder.hintTable()
    @exclusivity(unchecked) private var lastName: Int32 = -1
    /// What each attribute position held last time (see `AttributeMemo`).
    private let memo = AttributeMemo()
    /// Where a list's entries are written as they are read (reused for every list).
    private let scratch = AttributeListBuilder()
    /// One value of the general path, written before its key is known.
    private let valueScratch = AttributeListBuilder()
    // A decoder is used by one thread at a time; its per-record state skips the
    // run-time exclusivity checks.
    /// Holds the record's attribute lists as they are read (one growing buffer, not an
    /// allocation per list) until they are packed per trace at the record's end.
    @exclusivity(unchecked) private var recordArena = AttributeArena()
    /// Attribute values nested deeper than this are rejected (a JSON bomb, not data).
    public let maxValueDepth: Int

    public init(maxValueDepth: Int = 64) {
        self.maxValueDepth = maxValueDepth
    }

    deinit {
        nextKeyHint.deallocate()
        nextNameHint.deallocate()
        valueHint.deallocate()
        keyValuesInline.deallocate()
    }

    public func decode(_ text: String) throws -> DecodedRecord {
        var copy = text
        return try copy.withUTF8 { try decode(UnsafeRawBufferPointer($0)) }
    }

    public func decode(_ bytes: [UInt8]) throws -> DecodedRecord {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> DecodedRecord {
        var out = DecodedRecord()
        out.problems = try decode(bytes, appendingTo: &out.spans)
        return out
    }

    /// Decodes onto the end of `spans` and returns the record's problems: a caller
    /// gathering many records' spans copies none of them into its list. On an error
    /// `spans` is left as it was (a bad record adds nothing).
    public func decode(_ bytes: UnsafeRawBufferPointer, appendingTo spans: inout [Span]) throws -> [String] {
        try decode(bytes, appendingTo: &spans, toTheEnd: true).problems
    }

    /// Like `decode(_:appendingTo:)` for the one value at the start of `bytes`, which
    /// may go on past it: also where the value ends (just after its closing brace).
    public func decodeLeadingValue(_ bytes: UnsafeRawBufferPointer, appendingTo spans: inout [Span]) throws -> (end: Int, problems: [String]) {
        try decode(bytes, appendingTo: &spans, toTheEnd: false)
    }

    private func decode(_ bytes: UnsafeRawBufferPointer, appendingTo spans: inout [Span], toTheEnd: Bool) throws -> (end: Int, problems: [String]) {
        var s = JSONScanner(bytes, maxDepth: maxValueDepth * 2 + 16)
        var out = DecodedRecord()
        swap(&out.spans, &spans)
        let start = out.spans.count
        recordArena = AttributeArena()
        defer {
            recordArena = AttributeArena()
            swap(&out.spans, &spans)
        }
        do {
            try readRequest(&s, into: &out)
            if toTheEnd { try s.expectEnd() }
        } catch {
            out.spans.removeSubrange(start...)
            throw error
        }
        Span.groupByTrace(&out.spans, from: start)
        return (s.pos, out.problems)
    }

    private func readRequest(_ s: inout JSONScanner, into out: inout DecodedRecord) throws {
        try s.beginObject()
        var first = true
        // A record with fields but no trace field is not silently empty: it is a
        // metrics or logs record, or one whose key was mangled.
        var otherKeys: [String] = []
        var sawTraceField = false
        defer {
            if !sawTraceField, !otherKeys.isEmpty {
                out.problems.append("not a trace record: no resourceSpans (has \(otherKeys.joined(separator: ", ")))")
            }
        }
        while let key = try s.nextKey(first: &first) {
            let isSpans = s.key(key, is: "resourceSpans"), isResult = !isSpans && s.key(key, is: "result")
            if isSpans || isResult {
                sawTraceField = true
            } else if otherKeys.count < 3 {
                otherKeys.append(String(s.text(of: key).prefix(40)))
            }
            if s.skipNull() { continue }
            if isSpans {
                try s.beginArray()
                var f = true
                while try s.nextElement(first: &f) { try readResourceSpans(&s, into: &out) }
            } else if isResult {
                try readRequest(&s, into: &out)
            } else {
                try s.skipValue()
            }
        }
    }

    private func readResourceSpans(_ s: inout JSONScanner, into out: inout DecodedRecord) throws {
        var resource = Resource.unknown, resourceRead = false
        var scopes: [ScopeBatch] = []
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "resource") {
                try s.beginObject()
                var f = true
                var attributes: [Attribute] = []
                while let k = try s.nextKey(first: &f) {
                    if !s.skipNull(), s.key(k, is: "attributes") {
                        attributes = try readAttributes(&s, depth: 0)
                    } else {
                        try s.skipValue()
                    }
                }
                resource = Resource(attributes: attributes)
                resource.serviceName = interner.intern(resource.serviceName)
                resourceRead = true
                // A resource after some spans (or a second one): theirs is fixed up at the end.
                for n in scopes.indices { scopes[n].hadOrigin = false }
            } else if s.key(key, is: "scopeSpans") || s.key(key, is: "instrumentationLibrarySpans") {
                try s.beginArray()
                var f = true
                while try s.nextElement(first: &f) {
                    try readScopeSpans(&s, into: &out, resource: resourceRead ? resource : nil, scopes: &scopes)
                }
            } else {
                try s.skipValue()
            }
        }
        // Spans read before their resource or scope (either may follow them in the
        // object) were given a placeholder origin: they get theirs now, one shared
        // origin per scope batch.
        let end = out.spans.count
        for (n, batch) in scopes.enumerated() where !batch.hadOrigin {
            let upper = n + 1 < scopes.count ? scopes[n + 1].start : end
            guard batch.start < upper else { continue }
            let origin = SpanOrigin(resource: resource, scope: batch.scope)
            for i in batch.start..<upper { out.spans[i].origin = origin }
        }
    }

    /// One scope's spans in `out`: from `start` to the next batch's start.
    private struct ScopeBatch {
        var start: Int
        var scope: InstrumentationScope
        /// Whether its spans were given their final origin as they were read: the
        /// resource and scope both came before them.
        var hadOrigin: Bool
    }

    /// Reads one scope's spans; `scopes` gets where they start and their scope.
    /// `resource` is the one read so far (nil if it follows).
    private func readScopeSpans(_ s: inout JSONScanner, into out: inout DecodedRecord,
                                resource: Resource?, scopes: inout [ScopeBatch]) throws {
        var scope = InstrumentationScope()
        let firstSpan = out.spans.count
        var origin: SpanOrigin?
        var hadOrigin = resource != nil
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "scope") || s.key(key, is: "instrumentationLibrary") {
                scope = try readScope(&s)
                // A scope after some spans: theirs is fixed up at the end.
                if origin != nil { hadOrigin = false }
            } else if s.key(key, is: "spans") {
                let batchOrigin = origin ?? SpanOrigin(resource: resource ?? .unknown, scope: scope)
                origin = batchOrigin
                try s.beginArray()
                var f = true
                while try s.nextElement(first: &f) { try readSpan(&s, origin: batchOrigin, into: &out) }
            } else {
                try s.skipValue()
            }
        }
        scopes.append(ScopeBatch(start: firstSpan, scope: scope, hadOrigin: hadOrigin))
    }

    private func readScope(_ s: inout JSONScanner) throws -> InstrumentationScope {
        var scope = InstrumentationScope()
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "name") {
                scope.name = try internedString(&s)
            } else if s.key(key, is: "version") {
                scope.version = try internedString(&s)
            } else if s.key(key, is: "attributes") {
                scope.attributes = try readAttributes(&s, depth: 0)
            } else {
                try s.skipValue()
            }
        }
        return scope
    }

    /// Appends one span to `out`, or, when its ids are unusable, the problem (the span is
    /// skipped; the JSON around it is fine). Its fields are read into locals and the span
    /// is built once, in place in the list, holding `origin`: a span built and then
    /// copied or patched retains and releases what it holds again.
    private func readSpan(_ s: inout JSONScanner, origin: SpanOrigin, into out: inout DecodedRecord) throws {
        var traceID = TraceID(high: 0, low: 0), spanID = SpanID.zero, parentSpanID = SpanID.zero
        var name = "", kind = SpanKind.unspecified, startTime: Int64 = 0, endTime: Int64 = 0
        var attributes = AttributeList(), flags: UInt32 = 0
        var problem: String?
        var events: [SpanEvent] = [], links: [SpanLink] = [], status = SpanStatus(), traceState = ""
        try s.beginObject()
        var first = true
        // Exporters write a span's fields in one order: the field that usually comes
        // next is tried in place (`,"spanId":`), which needs no scan for the key's end
        // and no lookup; any other key or spacing takes the general path.
        var guess = SpanField.traceId
        while true {
            let field: SpanField
            if let key = guess.key, s.skipKey(key, first: first) {
                first = false
                field = guess
            } else if let key = try s.nextKey(first: &first) {
                field = SpanField(s, key)
            } else {
                break
            }
            guess = field.usuallyNext
            if s.skipNull() { continue }
            switch field {
            case .traceId:
                let raw = try s.readRawString()
                if let id = self.traceID(&s, raw) { traceID = id } else { problem = problem ?? "span with an invalid traceId skipped" }
            case .spanId:
                let raw = try s.readRawString()
                if let id = self.spanID(&s, raw) { spanID = id } else { problem = problem ?? "span with an invalid spanId skipped" }
            case .parentSpanId:
                let raw = try s.readRawString()
                if raw.count == 0 && !raw.hasEscapes {
                    parentSpanID = .zero
                } else if let id = self.spanID(&s, raw) {
                    parentSpanID = id
                } else {
                    problem = problem ?? "span with an invalid parentSpanId skipped"
                }
            case .name:
                name = try spanName(&s)
            case .kind:
                let k = try s.readInt64()
                kind = SpanKind(rawValue: Int(clamping: k)) ?? .unspecified
            case .startTime:
                startTime = try s.readUInt64AsInt64()
            case .endTime:
                endTime = try s.readUInt64AsInt64()
            case .attributes:
                // Spans of one name repeat one key order: positions are told apart by name.
                attributes = try readAttributeList(&s, context: (Int(lastName) + 1) &* 97)
            case .events:
                events = try readEvents(&s)
            case .links:
                links = try readLinks(&s)
            case .status:
                // `{}` (no code, no message) is what most spans carry.
                status = s.skipLiteral("{}") ? SpanStatus() : try readStatus(&s)
            case .flags:
                flags = UInt32(truncatingIfNeeded: try s.readInt64())
            case .traceState:
                traceState = try s.readString()
            case .other:
                try s.skipValue()
            }
        }
        if problem == nil {
            if traceID.isZero { problem = "span without a traceId skipped" }
            else if spanID.isZero { problem = "span without a spanId skipped" }
        }
        if let problem {
            out.problems.append(problem)
            return
        }
        out.spans.append(Span(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: consume name, kind: kind,
            startTime: startTime, endTime: endTime, statusCode: status.code, attributes: consume attributes,
            origin: origin, flags: flags,
            statusMessage: status.message, traceState: consume traceState, events: consume events, links: consume links))
    }

    /// The span fields the decoder reads, by their keys, and the field that follows
    /// each in what SDK exporters write.
    private enum SpanField {
        case traceId, spanId, parentSpanId, traceState, flags, name, kind, startTime, endTime
        case attributes, events, links, status, other

        private static let known: [SpanField] = [.traceId, .spanId, .parentSpanId, .traceState, .flags, .name, .kind,
                                                 .startTime, .endTime, .attributes, .events, .links, .status]

        init(_ s: JSONScanner, _ key: JSONKey) {
            for field in Self.known where s.key(key, is: field.key!) {
                self = field
                return
            }
            self = .other
        }

        /// The field's key in OTLP/JSON; nil for `other`.
        var key: StaticString? {
            switch self {
            case .traceId: return "traceId"
            case .spanId: return "spanId"
            case .parentSpanId: return "parentSpanId"
            case .traceState: return "traceState"
            case .flags: return "flags"
            case .name: return "name"
            case .kind: return "kind"
            case .startTime: return "startTimeUnixNano"
            case .endTime: return "endTimeUnixNano"
            case .attributes: return "attributes"
            case .events: return "events"
            case .links: return "links"
            case .status: return "status"
            case .other: return nil
            }
        }

        var usuallyNext: SpanField {
            switch self {
            case .traceId: return .spanId
            case .spanId, .traceState: return .parentSpanId
            case .parentSpanId, .flags: return .name
            case .name: return .kind
            case .kind: return .startTime
            case .startTime: return .endTime
            case .endTime: return .attributes
            case .attributes, .events, .links: return .status
            case .status, .other: return .other
            }
        }
    }

    private func traceID(_ s: inout JSONScanner, _ raw: JSONKey) -> TraceID? {
        if let decoded = s.decoded(raw) { return TraceID(text: Array(decoded.utf8)) }
        // Fast path for the canonical 32 hex digits; anything else takes the general parser.
        if raw.count == 32 {
            // A batch lists a trace's spans side by side: the same 32 digits as the span
            // before are its id again, compared as four words instead of parsed.
            let p = s.base + raw.start
            let digits = (p.loadUnaligned(as: UInt64.self), p.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                          p.loadUnaligned(fromByteOffset: 16, as: UInt64.self), p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            if let last = lastTraceID, digits == lastTraceDigits { return last }
            if let high = Self.hex16(s.bytes, raw.start), let low = Self.hex16(s.bytes, raw.start + 16) {
                let id = TraceID(high: high, low: low)
                lastTraceID = id
                lastTraceDigits = digits
                return id
            }
        }
        return TraceID(text: s.raw(raw))
    }

    private func spanID(_ s: inout JSONScanner, _ raw: JSONKey) -> SpanID? {
        if let decoded = s.decoded(raw) { return SpanID(text: Array(decoded.utf8)) }
        if raw.count == 16, let v = Self.hex16(s.bytes, raw.start) { return SpanID(v) }
        return SpanID(text: s.raw(raw))
    }

    /// Exactly 16 hex digits at `start`, as an integer.
    @inline(__always)
    static func hex16(_ b: UnsafeRawBufferPointer, _ start: Int) -> UInt64? {
        guard let high = hex8(b, start), let low = hex8(b, start + 8) else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// Eight hex digits (either case) at `start`, eight bytes at once (SWAR): per-byte
    /// range tests for 0-9 and a-f (after folding case) must cover every byte; the
    /// nibbles then pair up into bytes, shorts and the word with shifts and masks.
    @inline(__always)
    static func hex8(_ b: UnsafeRawBufferPointer, _ start: Int) -> UInt32? {
        let w = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        let highs: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        guard w & highs == 0 else { return nil }
        // For bytes below 0x80, x + (0x80 - lo) has its top bit set iff x >= lo, and
        // x + (0x7F - hi) iff x > hi; no sum carries into the next byte.
        let isDigit = (w &+ ones &* 0x50) & ~(w &+ ones &* 0x46) & highs
        let folded = w | (ones &* 0x20)
        let isLetter = (folded &+ ones &* 0x1F) & ~(folded &+ ones &* 0x19) & highs
        guard isDigit | isLetter == highs else { return nil }
        var v = (w & (ones &* 0x0F)) &+ (isLetter >> 7) &* 9
        v = ((v << 4) | (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = ((v << 8) | (v >> 16)) & 0x0000_FFFF_0000_FFFF
        v = ((v << 16) | (v >> 32)) & 0xFFFF_FFFF
        return UInt32(truncatingIfNeeded: v)
    }

    /// A span's name, interned, the name that followed the last one last time tried
    /// first: a batch's spans repeat a few names in much the same order.
    private func spanName(_ s: inout JSONScanner) throws -> String {
        let raw = try s.readRawString()
        if let decoded = s.decoded(raw) { return interner.intern(decoded) }
        return interner.intern(s.raw(raw), after: &lastName, following: nextNameHint, slots: Self.keyHintSlots)
    }

    private func internedString(_ s: inout JSONScanner) throws -> String {
        let raw = try s.readRawString()
        if let decoded = s.decoded(raw) { return interner.intern(decoded) }
        return interner.intern(s.raw(raw))
    }

    private func readStatus(_ s: inout JSONScanner) throws -> SpanStatus {
        var status = SpanStatus()
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "code") {
                status.code = StatusCode(rawValue: Int(clamping: try readEnum(&s))) ?? .unset
            } else if s.key(key, is: "message") {
                status.message = try s.readString()
            } else {
                try s.skipValue()
            }
        }
        return status
    }

    /// Enums are integers in OTLP/JSON; protobuf's JSON mapping also allows names.
    private func readEnum(_ s: inout JSONScanner) throws -> Int64 {
        if s.peek() == UInt8(ascii: "\"") {
            let save = s.pos
            let name = try s.readString()
            switch name {
            case "STATUS_CODE_UNSET": return 0
            case "STATUS_CODE_OK": return 1
            case "STATUS_CODE_ERROR": return 2
            default:
                s.pos = save
                return try s.readInt64()
            }
        }
        return try s.readInt64()
    }

    private func readEvents(_ s: inout JSONScanner) throws -> [SpanEvent] {
        var events: [SpanEvent] = []
        try s.beginArray()
        var f = true
        while try s.nextElement(first: &f) {
            var event = SpanEvent(time: 0, name: "")
            try s.beginObject()
            var first = true
            // As for spans: exporters write time, name, attributes, so each is tried in
            // place first; 0 time, 1 name, 2 attributes, 3 anything else.
            var guess = 0
            while true {
                var field = 3
                if guess == 0 && s.skipKey("timeUnixNano", first: first) {
                    field = 0
                    first = false
                } else if guess == 1 && s.skipKey("name", first: first) {
                    field = 1
                } else if guess == 2 && s.skipKey("attributes", first: first) {
                    field = 2
                } else if let key = try s.nextKey(first: &first) {
                    field = s.key(key, is: "timeUnixNano") ? 0 : s.key(key, is: "name") ? 1 : s.key(key, is: "attributes") ? 2 : 3
                } else {
                    break
                }
                guess = field + 1
                if s.skipNull() { continue }
                switch field {
                case 0: event.time = try s.readUInt64AsInt64()
                case 1: event.name = try internedString(&s)
                case 2: event.attributes = try readAttributeList(&s)
                default: try s.skipValue()
                }
            }
            events.append(event)
        }
        return events
    }

    private func readLinks(_ s: inout JSONScanner) throws -> [SpanLink] {
        var links: [SpanLink] = []
        try s.beginArray()
        var f = true
        while try s.nextElement(first: &f) {
            var link = SpanLink(traceID: TraceID(high: 0, low: 0), spanID: .zero)
            try s.beginObject()
            var first = true
            while let key = try s.nextKey(first: &first) {
                if s.skipNull() { continue }
                if s.key(key, is: "traceId") {
                    let raw = try s.readRawString()
                    link.traceID = traceID(&s, raw) ?? link.traceID
                } else if s.key(key, is: "spanId") {
                    let raw = try s.readRawString()
                    link.spanID = spanID(&s, raw) ?? link.spanID
                } else if s.key(key, is: "attributes") {
                    link.attributes = try readAttributeList(&s)
                } else {
                    try s.skipValue()
                }
            }
            links.append(link)
        }
        return links
    }

    private func readAttributes(_ s: inout JSONScanner, depth: Int) throws -> [Attribute] {
        var attributes: [Attribute] = []
        try s.beginArray()
        var f = true
        while try s.nextElement(first: &f) {
            var key = ""
            var value = AttributeValue.empty
            try s.beginObject()
            var first = true
            while let k = try s.nextKey(first: &first) {
                if s.skipNull() { continue }
                if s.key(k, is: "key") {
                    key = try internedString(&s)
                } else if s.key(k, is: "value") {
                    value = try readAnyValue(&s, depth: depth + 1)
                } else {
                    try s.skipValue()
                }
            }
            attributes.append(Attribute(key, value))
        }
        return attributes
    }

    /// A span's, event's or link's attributes, packed as they are read: a plain string
    /// value goes from the input bytes into the list without becoming a String.
    /// `context` is added to the attribute positions (the memo's and the key hints'): a
    /// span's own list gives its name's entry, spread; events' and links' lists give 0.
    private func readAttributeList(_ s: inout JSONScanner, context: Int = 0) throws -> AttributeList {
        let list = scratch
        list.reset()
        try s.beginArray()
        var f = true
        var previousKey: Int32 = -1
        while try s.nextElement(first: &f) {
            if compactAttribute(&s, into: list, previousKey: &previousKey, context: context) { continue }
            previousKey = -1
            // The general path: fields in any order, spaces, nested values. The value is
            // written on its own first (the key may follow it), the last one given wins.
            var key: (id: UInt32, text: JSONKey)?
            let value = valueScratch
            value.reset()
            try s.beginObject()
            var first = true
            while let k = try s.nextKey(first: &first) {
                if s.skipNull() { continue }
                if s.key(k, is: "key") {
                    let raw = try s.readRawString()
                    key = (s.decoded(raw).map { keys.intern($0) } ?? keys.intern(s.raw(raw)), raw)
                } else if s.key(k, is: "value") {
                    value.reset()
                    try writeAnyValue(&s, depth: 1, into: value)
                } else {
                    try s.skipValue()
                }
            }
            if let key {
                writeKey(s, key.id, key.text, into: list)
            } else {
                list.key(keys.intern(""), text: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if value.isEmpty { list.empty() } else { list.append(contentsOf: value) }
        }
        return recordArena.adopt(list)
    }

    /// A key the shared table has no number for is written as its text.
    private func writeKey(_ s: JSONScanner, _ id: UInt32, _ raw: JSONKey, into list: AttributeListBuilder) {
        if id != 0 || !raw.hasEscapes {
            list.key(id, text: s.raw(raw))
        } else {
            var text = s.decoded(raw)!
            text.withUTF8 { list.key(0, text: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The form SDK exporters write, `{"key":"k","value":{"stringValue":"v"}}` with no
    /// spaces and a scalar value (or an array of scalars), read by matching its fixed
    /// parts in place instead of walking two objects key by key. Anything else —
    /// spaces, other field orders, escapes in the key, nested values, nulls — leaves the
    /// input and the list as they were and returns false for the general path, which
    /// reads every form the same way. What the attribute's position held last time is
    /// tried first (`AttributeMemo`): the same bytes need no reading at all.
    private func compactAttribute(_ s: inout JSONScanner, into list: AttributeListBuilder, previousKey: inout Int32,
                                  context: Int) -> Bool {
        let start = s.pos
        let slot = memo.slot(after: previousKey, context: context)
        // The very attribute this position held last time: its packed bytes again.
        let whole = slot.inputCount
        if whole > 0, start + whole <= s.length, slot.inputMatches(s.base + start) {
            slot.writeOutput(into: list)
            slot.repeated()
            s.pos = start + whole
            previousKey = slot.keyEntry
            return true
        }
        // Its key and type of value again: only the value is read.
        let prefix = slot.prefixCount
        if prefix > 0, start + prefix <= s.length, slot.prefixMatches(s.base + start) {
            let mark = list.count
            slot.writeKey(into: list)
            s.pos = start + prefix
            let keyOutput = list.count - mark
            let kind = slot.kind
            if (try? scalarValue(kind, &s, into: list, key: slot.keyID)) != nil, s.skipLiteral("}}") {
                previousKey = slot.keyEntry
                // Its prefix, key and type stay; the value and what it packed to are new.
                if slot.valueChanged() {
                    slot.remember(input: UnsafeRawBufferPointer(rebasing: s.bytes[start..<s.pos]), output: list.written(since: mark),
                                  prefixCount: prefix, keyOutputCount: keyOutput, kind: kind,
                                  keyEntry: slot.keyEntry, keyID: slot.keyID, changes: slot.changes)
                }
                return true
            }
            list.truncate(to: mark)
            s.pos = start
        }
        guard s.skipLiteral("{\"key\":\""), let keyEnd = s.plainStringEnd(from: s.pos) else {
            s.pos = start
            return false
        }
        let keyBytes = UnsafeRawBufferPointer(rebasing: s.bytes[s.pos..<keyEnd])
        s.pos = keyEnd + 1
        guard s.skipLiteral(",\"value\":{\"") else {
            s.pos = start
            return false
        }
        // Written as it is read: a form that turns out to be another is cut off again,
        // and the general path reads it from the start.
        let mark = list.count
        let key = internKey(keyBytes, after: &previousKey, context: context)
        list.key(key, text: keyBytes)
        let keyOutput = list.count - mark
        var kind = AttributeMemo.Kind.none, valueStart = 0
        let read: Bool
        if s.skipLiteral("arrayValue\":{\"values\":[") {
            read = compactScalarArray(&s, into: list) && s.skipLiteral("}}}")
        } else if let scalar = scalarKind(&s) {
            kind = scalar
            valueStart = s.pos
            read = (try? scalarValue(scalar, &s, into: list, key: key)) != nil && s.skipLiteral("}}")
        } else {
            read = false
        }
        guard read else {
            list.truncate(to: mark)
            s.pos = start
            return false
        }
        slot.remember(input: UnsafeRawBufferPointer(rebasing: s.bytes[start..<s.pos]), output: list.written(since: mark),
                      prefixCount: kind == .none ? 0 : valueStart - start, keyOutputCount: keyOutput, kind: kind,
                      keyEntry: previousKey, keyID: key)
        return true
    }

    /// Which scalar value field follows its opening quote (`stringValue":`, `intValue":`,
    /// `boolValue":`, `doubleValue":`), consumed; nil (nothing consumed) at another.
    @inline(__always)
    private func scalarKind(_ s: inout JSONScanner) -> AttributeMemo.Kind? {
        if s.skipLiteral("stringValue\":") { return .string }
        if s.skipLiteral("intValue\":") { return .int }
        if s.skipLiteral("boolValue\":") { return .bool }
        if s.skipLiteral("doubleValue\":") { return .double }
        return nil
    }

    /// One scalar value of `kind`, written by its own writer with no `AttributeValue`
    /// made; an error at a bad value. A string under key number `key` plus one (0: an
    /// array element) may be shared.
    @inline(__always)
    private func scalarValue(_ kind: AttributeMemo.Kind, _ s: inout JSONScanner, into list: AttributeListBuilder, key: UInt32) throws {
        switch kind {
        case .string:
            let raw = try s.readRawString()
            if key == 0 || raw.hasEscapes || keyValuesInline[Int(key)] {
                writeString(s, raw, into: list)
            } else {
                writeShareable(s.raw(raw), key: key, into: list)
            }
        case .int: list.int(try s.readInt64())
        case .bool:
            // The literal in place (what exporters write); anything else the long way.
            if s.skipLiteral("true") { list.bool(true) } else if s.skipLiteral("false") { list.bool(false) } else { list.bool(try s.readBool()) }
        case .double: list.double(try s.readDouble())
        case .none: throw s.fail("no value")
        }
    }

    /// One scalar value field after its opening quote; false at another field, an error
    /// at a bad value.
    @inline(__always)
    private func compactScalar(_ s: inout JSONScanner, into list: AttributeListBuilder, key: UInt32 = 0) throws -> Bool {
        guard let kind = scalarKind(&s) else { return false }
        try scalarValue(kind, &s, into: list, key: key)
        return true
    }

    /// The elements of a compact array of scalars, `{"stringValue":"a"},{"intValue":"1"}]`,
    /// as an array value; false at anything else (the caller undoes what was written).
    private func compactScalarArray(_ s: inout JSONScanner, into list: AttributeListBuilder) -> Bool {
        let array = list.beginArray()
        var n = 0
        if !s.skipLiteral("]") {
            repeat {
                guard s.skipLiteral("{\""), (try? compactScalar(&s, into: list)) ?? false, s.skipLiteral("}") else { return false }
                n += 1
            } while s.skipLiteral(",")
            guard s.skipLiteral("]") else { return false }
        }
        list.endArray(array, count: n)
        return true
    }

    /// A key's number, guessed from the key before it (`previous`, which becomes this
    /// key's entry) in the list's `context`.
    @inline(__always)
    private func internKey(_ bytes: UnsafeRawBufferPointer, after previous: inout Int32, context: Int) -> UInt32 {
        keys.intern(bytes, after: &previous, following: nextKeyHint, slots: Self.keyHintSlots, context: context)
    }

    /// A string value: its bytes in place, or its text when it held escapes.
    @inline(__always)
    private func writeString(_ s: JSONScanner, _ raw: JSONKey, into list: AttributeListBuilder) {
        if var text = s.decoded(raw) {
            text.withUTF8 { list.string(UnsafeRawBufferPointer($0)) }
        } else {
            list.string(s.raw(raw))
        }
    }

    /// A string value without escapes under key number `key` plus one: by its shared
    /// number when `AttributeStrings` has or takes one, else inline.
    @inline(__always)
    private func writeShareable(_ bytes: UnsafeRawBufferPointer, key: UInt32, into list: AttributeListBuilder) {
        let slot = Int(key) & (Self.keyHintSlots - 1)
        var hint = valueHint[slot]
        let shared = sharedValues.cached(bytes, hint: &hint) ?? shareNew(bytes, key: key, hint: &hint)
        valueHint[slot] = hint
        if shared != 0 { list.sharedString(shared - 1) } else { list.string(bytes) }
    }

    /// A value this decoder has not seen: asks the shared table, and remembers the answer.
    /// The table is asked by bytes: a String is made only for a value new to the
    /// process (invalid UTF-8 stays inline as it came).
    @inline(never)
    private func shareNew(_ bytes: UnsafeRawBufferPointer, key: UInt32, hint: inout Int32) -> UInt32 {
        switch AttributeStrings.share(bytes: bytes, key: key - 1) {
        case .shared(let id):
            sharedValues.add(bytes, id + 1, hint: &hint)
            return id + 1
        case .inline:
            sharedValues.add(bytes, 0, hint: &hint)
            return 0
        case .keyFull:
            keyValuesInline[Int(key)] = true
            return 0
        }
    }

    /// Writes one AnyValue object as it is read, arrays element by element, as
    /// `readAnyValue` reads it: the last value field given wins, none is an empty value.
    private func writeAnyValue(_ s: inout JSONScanner, depth: Int, into list: AttributeListBuilder) throws {
        guard depth <= maxValueDepth else { throw s.fail("attribute value nested deeper than \(maxValueDepth)") }
        let mark = list.count
        var wrote = false
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "stringValue") {
                let raw = try s.readRawString()
                list.truncate(to: mark)
                writeString(s, raw, into: list)
            } else if s.key(key, is: "intValue") {
                let v = try s.readInt64()
                list.truncate(to: mark)
                list.int(v)
            } else if s.key(key, is: "boolValue") {
                let v = try s.readBool()
                list.truncate(to: mark)
                list.bool(v)
            } else if s.key(key, is: "doubleValue") {
                let v = try s.readDouble()
                list.truncate(to: mark)
                list.double(v)
            } else if s.key(key, is: "arrayValue") {
                list.truncate(to: mark)
                let array = list.beginArray()
                var n = 0
                try s.beginObject()
                var f = true
                while let k = try s.nextKey(first: &f) {
                    if !s.skipNull(), s.key(k, is: "values") {
                        try s.beginArray()
                        var fe = true
                        while try s.nextElement(first: &fe) {
                            try writeAnyValue(&s, depth: depth + 1, into: list)
                            n += 1
                        }
                    } else {
                        try s.skipValue()
                    }
                }
                list.endArray(array, count: n)
            } else if s.key(key, is: "bytesValue") {
                let bytes = try readBytesValue(&s)
                list.truncate(to: mark)
                list.value(.bytes(bytes))
            } else if s.key(key, is: "kvlistValue") {
                // Rare: read whole (its keys may follow their values), then written.
                let attributes = try readKeyValueList(&s, depth: depth)
                list.truncate(to: mark)
                list.value(.keyValueList(attributes))
            } else {
                try s.skipValue()
                continue
            }
            wrote = true
        }
        if !wrote {
            list.truncate(to: mark)
            list.empty()
        }
    }

    /// One AnyValue object as a value (resource and scope attributes, map entries;
    /// span, event and link attributes are written by `writeAnyValue`).
    private func readAnyValue(_ s: inout JSONScanner, depth: Int) throws -> AttributeValue {
        guard depth <= maxValueDepth else { throw s.fail("attribute value nested deeper than \(maxValueDepth)") }
        var value = AttributeValue.empty
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if s.skipNull() { continue }
            if s.key(key, is: "stringValue") {
                value = .string(try s.readString())
            } else if s.key(key, is: "intValue") {
                value = .int(try s.readInt64())
            } else if s.key(key, is: "boolValue") {
                value = .bool(try s.readBool())
            } else if s.key(key, is: "doubleValue") {
                value = .double(try s.readDouble())
            } else if s.key(key, is: "bytesValue") {
                value = .bytes(try readBytesValue(&s))
            } else if s.key(key, is: "arrayValue") {
                value = .array(try readValueList(&s, depth: depth))
            } else if s.key(key, is: "kvlistValue") {
                value = .keyValueList(try readKeyValueList(&s, depth: depth))
            } else {
                try s.skipValue()
            }
        }
        return value
    }

    private func readBytesValue(_ s: inout JSONScanner) throws -> [UInt8] {
        let text = try s.readString()
        guard let bytes = Base64.decode(text) else { throw s.fail("bytesValue is not base64") }
        return bytes
    }

    /// A `kvlistValue`'s object; the last `values` given wins.
    private func readKeyValueList(_ s: inout JSONScanner, depth: Int) throws -> [Attribute] {
        try s.beginObject()
        var f = true
        var attrs: [Attribute] = []
        while let k = try s.nextKey(first: &f) {
            if !s.skipNull(), s.key(k, is: "values") {
                attrs = try readAttributes(&s, depth: depth)
            } else {
                try s.skipValue()
            }
        }
        return attrs
    }

    private func readValueList(_ s: inout JSONScanner, depth: Int) throws -> [AttributeValue] {
        var values: [AttributeValue] = []
        try s.beginObject()
        var first = true
        while let key = try s.nextKey(first: &first) {
            if !s.skipNull(), s.key(key, is: "values") {
                try s.beginArray()
                var f = true
                while try s.nextElement(first: &f) { values.append(try readAnyValue(&s, depth: depth + 1)) }
            } else {
                try s.skipValue()
            }
        }
        return values
    }
}
