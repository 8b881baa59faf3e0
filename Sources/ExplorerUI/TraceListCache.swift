import TraceModel

/// The trace list's rows for one query, newest start first, kept across recomputes:
/// it follows the store's change log and re-sums and re-places only the traces changed
/// since the last recompute (100k traces took 0.15–0.25 s a refresh to list whole).
/// A new query, or a store it has not followed, is listed from scratch.
struct TraceListCache: Sendable {
    private(set) var rows: [TraceSummary] = []
    private var cursor = ChangeCursor()
    private var listedQuery: TraceQuery?

    /// Updates the rows; returns the rows that are new or changed since the last call
    /// (every row after a from-scratch listing).
    mutating func update(with store: TraceStore, query: TraceQuery) -> [TraceSummary] {
        var fresh: [TraceSummary] = []
        // Another query lists from scratch.
        if query != listedQuery { cursor = ChangeCursor() }
        listedQuery = query
        if let changed = cursor.changes(in: store) {
            // Each changed trace's row (if it had one) is dropped and its current one
            // (if it matches) merged in.
            let gone = Set(changed)
            for id in gone {
                if let trace = store.traces[id], let row = Self.row(trace, query) { fresh.append(row) }
            }
            if gone.count <= 16 {
                Self.patch(&rows, dropping: gone, adding: fresh)
            } else if !gone.isEmpty {
                rows = Self.merge(rows, dropping: gone, adding: fresh)
            }
        } else {
            rows = []
            // Room to grow: a live insert into a full array copies every row.
            rows.reserveCapacity(Self.withHeadroom(store.traceCount))
            let traces = store.traces.values
            for i in traces.indices {
                if let row = Self.row(traces[i], query) { rows.append(row) }
            }
            rows.sort { Self.newestFirst($0, $1) }
            fresh = rows
        }
        return fresh
    }

    /// An eighth more than `count`: the next few traces to arrive are patched in without
    /// the array moving.
    static func withHeadroom(_ count: Int) -> Int { count + count / 8 + 16 }

    static func row(_ trace: Trace, _ query: TraceQuery) -> TraceSummary? {
        guard query.filter.matches(trace) else { return nil }
        let row = TraceSummary(trace: trace)
        return query.matchesText(row) ? row : nil
    }

    /// Sorts call it from a closure (`{ newestFirst($0, $1) }`): passed by name, it made
    /// sorting 100k rows about six times slower (the sort was not specialized around it).
    @inline(__always)
    static func newestFirst(_ a: TraceSummary, _ b: TraceSummary) -> Bool {
        a.startTime != b.startTime ? a.startTime > b.startTime : a.traceID < b.traceID
    }

    /// A few changes, in place: the rows of `gone` taken out, each of `adding` put at
    /// its place (a move of the rows after it, no copy of the others).
    private static func patch(_ rows: inout [TraceSummary], dropping gone: Set<TraceID>, adding: [TraceSummary]) {
        let few = Array(gone)
        if !few.isEmpty { rows.removeAll { few.contains($0.traceID) } }
        for row in adding {
            var low = 0, high = rows.count
            while low < high {
                let mid = (low + high) / 2
                if newestFirst(rows[mid], row) { low = mid + 1 } else { high = mid }
            }
            rows.insert(row, at: low)
        }
    }

    /// One pass over the sorted rows: those of `gone` left out, `adding` (any order)
    /// merged in at their places.
    private static func merge(_ rows: [TraceSummary], dropping gone: Set<TraceID>, adding: [TraceSummary]) -> [TraceSummary] {
        let adding = adding.sorted { newestFirst($0, $1) }
        // A few ids are compared directly: cheaper than hashing every row's.
        let few = gone.count <= 16 ? Array(gone) : nil
        return mergeSorted(rows, with: adding, by: { newestFirst($0, $1) },
                           dropping: { few?.contains($0.traceID) ?? gone.contains($0.traceID) },
                           capacity: withHeadroom(rows.count + adding.count))
    }
}
