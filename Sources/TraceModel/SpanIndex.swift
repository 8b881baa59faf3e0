/// Finds a span's position in its trace by id. Small traces are scanned (no table at
/// all); larger ones keep an open-addressed table of 32-bit positions, at most half
/// full: 4–8 bytes a span, where a `[SpanID: Int]` dictionary takes 21–43.
/// Slots are placed by a per-process random seed mixed in with the splitmix64
/// finalizer: ids crafted without knowing the seed can't pile into one probe chain,
/// and it costs a fraction of the standard library's SipHash (which was a tenth of
/// opening a 1M-span trace).
struct SpanIndex: Sendable {
    /// Position + 1 of a span in the trace's array; 0 is an empty slot.
    private var slots: [UInt32] = []

    /// Traces up to this size are scanned: cheaper than a table, in time and bytes.
    static let scanLimit = 16

    func find(_ id: SpanID, in spans: SpanRows) -> Int? {
        if slots.isEmpty {
            return (0..<spans.count).first { spans.spanID(at: $0) == id }
        }
        let mask = slots.count - 1
        var i = Self.hash(id) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            if spans.spanID(at: Int(slot) - 1) == id { return Int(slot) - 1 }
            i = (i + 1) & mask
        }
    }

    /// Records that `spans.last` (a new id) was just appended.
    mutating func didAppend(to spans: SpanRows) {
        let n = spans.count
        if n <= Self.scanLimit { return }
        if slots.isEmpty || n * 2 > slots.count {
            rebuild(spans)
        } else {
            place(n - 1, id: spans.spanID(at: n - 1))
        }
    }

    private mutating func rebuild(_ spans: SpanRows) {
        var size = 64
        while size <= spans.count * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        for position in 0..<spans.count { place(position, id: spans.spanID(at: position)) }
    }

    private mutating func place(_ position: Int, id: SpanID) {
        let mask = slots.count - 1
        var i = Self.hash(id) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = UInt32(truncatingIfNeeded: position + 1)
    }

    private static let seed = UInt64.random(in: .min ... .max)

    private static func hash(_ id: SpanID) -> Int {
        var z = id.value ^ seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }
}
