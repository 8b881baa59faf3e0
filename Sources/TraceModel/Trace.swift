/// One trace, assembled incrementally from spans that arrive in any order.
/// Aggregates are kept up to date on every add; the tree is built on demand.
///
/// The store keeps one per trace held, side by side (`TraceTable`), so the value is kept
/// small (88 bytes): counters are 32-bit, and declared where they fill what the fields
/// before them leave (SpanRows is 12 bytes).
public struct Trace: Sendable {
    public let id: TraceID
    public private(set) var spans = SpanRows()
    private var errors: Int32 = 0
    private var index = SpanIndex()
    public private(set) var startTime: Int64 = .max
    public private(set) var endTime: Int64 = .min
    private var duplicates: Int32 = 0
    private var overCap: Int32 = 0

    public var errorCount: Int { Int(errors) }
    /// How many times a span id arrived again (merged, not shown twice).
    public var duplicateCount: Int { Int(duplicates) }
    /// Spans that arrived after the trace reached the store's per-trace cap: counted,
    /// not kept, so one runaway trace cannot take the whole budget or the screen.
    public var spansOverCap: Int { Int(overCap) }
    /// Bumped on every change so views can cache what they derive.
    public private(set) var revision = 0
    /// The store generation of the trace's last change. Unlike `revision` it never
    /// repeats for an id, even when an evicted trace arrives again.
    public internal(set) var storeGeneration = 0
    /// The store generation in which this trace was first added: tells a trace that was
    /// evicted and came back apart from the one held before under the same id.
    public internal(set) var createdGeneration = 0

    public init(id: TraceID) {
        self.id = id
    }

    public init(id: TraceID, spans: some Sequence<Span>) {
        self.id = id
        for span in spans { add(span) }
    }

    public var spanCount: Int { spans.count }
    public var isEmpty: Bool { spans.isEmpty }
    public var duration: Int64 { spans.isEmpty ? 0 : max(0, endTime &- startTime) }

    /// Adds a span; a span id already present is replaced by the newer export.
    public mutating func add(_ span: consuming Span) {
        revision &+= 1
        if let existing = index.find(span.spanID, in: spans) {
            duplicates &+= 1
            let old = spans[existing]
            if old.isError { errors -= 1 }
            spans[existing] = span
            if span.isError { errors += 1 }
            // Only a replacement that pulls in a bound the old span held needs a full
            // pass; anything else is an extension (re-exports must not cost O(n) each).
            let oldEnd = max(old.endTime, old.startTime), newEnd = max(span.endTime, span.startTime)
            if (old.startTime == startTime && span.startTime > old.startTime) || (oldEnd == endTime && newEnd < oldEnd) {
                recomputeBounds()
            } else {
                extendBounds(with: span)
            }
            return
        }
        if span.isError { errors += 1 }
        extendBounds(with: span)
        spans.append(span)
        index.didAppend(to: spans)
    }

    /// Makes room for `k` more spans (a run of one batch), so a trace's storage is sized
    /// to what arrives rather than to the next power of two.
    public mutating func reserveCapacity(forAppending k: Int) {
        spans.reserveCapacity(forAppending: k)
    }

    private mutating func extendBounds(with span: Span) {
        startTime = min(startTime, span.startTime)
        endTime = max(endTime, max(span.endTime, span.startTime))
    }

    private mutating func recomputeBounds() {
        startTime = .max
        endTime = .min
        for span in spans { extendBounds(with: span) }
    }

    /// A span not kept because the trace is at the store's cap.
    mutating func countOverCap() { overCap &+= 1 }

    public func index(of spanID: SpanID) -> Int? { index.find(spanID, in: spans) }

    public func span(_ spanID: SpanID) -> Span? {
        index.find(spanID, in: spans).map { spans[$0] }
    }

    /// A span whose parent id is set but whose parent is not (yet) in the trace.
    public func isOrphan(_ span: Span) -> Bool {
        span.hasParent && index.find(span.parentSpanID, in: spans) == nil
    }

    public var orphanCount: Int { spans.reduce(0) { $0 + (isOrphan($1) ? 1 : 0) } }

    /// The earliest span without a parent; failing that the earliest orphan.
    public var rootSpan: Span? {
        var best: Span?
        var bestIsTrueRoot = false
        for span in spans {
            let trueRoot = !span.hasParent
            guard trueRoot || isOrphan(span) else { continue }
            if let b = best {
                if bestIsTrueRoot && !trueRoot { continue }
                if trueRoot == bestIsTrueRoot && b.startTime <= span.startTime { continue }
            }
            best = span
            bestIsTrueRoot = trueRoot
        }
        return best ?? spans.min { $0.startTime < $1.startTime }
    }

    /// The services involved, sorted.
    public var services: [String] {
        Array(Set(spans.map(\.serviceName))).sorted()
    }

    /// How many services are involved, without building and sorting their set: the
    /// trace list asks it of every trace on each recompute, and a trace has a handful.
    public var serviceCount: Int {
        var seen: [String] = []
        for span in spans where !seen.contains(span.serviceName) {
            seen.append(span.serviceName)
            if seen.count > 8 { return services.count }
        }
        return seen.count
    }

    public func tree() -> TraceTree { TraceTree(trace: self) }
}
