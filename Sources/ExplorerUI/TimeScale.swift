/// Maps a trace's time range onto columns and draws span bars with eighth-cell
/// precision, so short spans stay visible and proportions stay honest.
public struct TimeScale: Sendable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = max(end, start)
    }

    public var span: Int64 { max(1, end - start) }

    /// Columns (fractional) from the start for a time.
    public func position(_ t: Int64, width: Int) -> Double {
        Double(min(max(t, start), end) - start) / Double(span) * Double(width)
    }

    private static let blocks: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// A bar string of exactly `width` columns: full blocks, a partial block at the
    /// end, and at least a sliver for spans too short to fill an eighth.
    public func bar(start s: Int64, end e: Int64, width: Int) -> String {
        guard width > 0 else { return "" }
        let a = position(s, width: width)
        let b = max(position(max(e, s), width: width), a)
        var cells = [Character](repeating: " ", count: width)
        let first = min(width - 1, Int(a))
        if b - a < 1.0 / 8 {
            cells[first] = "▏"
            return String(cells)
        }
        var x = Double(first)
        for col in first..<width {
            let cellStart = x, cellEnd = x + 1
            x += 1
            let covered = min(b, cellEnd) - max(a, cellStart)
            if covered <= 0 { if cellStart >= b { break } else { continue } }
            if covered >= 0.9375 {
                cells[col] = "█"
            } else if cellStart < a && b >= cellEnd {
                // The bar starts inside this cell: fill its right part.
                cells[col] = covered < 0.5 ? "▕" : "▐"
            } else {
                let eighths = max(1, Int((covered * 8).rounded()))
                cells[col] = Self.blocks[min(7, eighths - 1)]
            }
        }
        return String(cells)
    }
}
