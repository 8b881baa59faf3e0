/// Semantic roles a theme gives colours to. Views speak in roles, never in colours.
public enum Role: Hashable, Sendable {
    case text, muted, header, title, border, cursor, error, warning, ok, bar, barError, accent
    case status, statusError, key, match
    /// Service colour, by palette slot.
    case service(Int)

    public static let paletteSize = 8

    public static let all: [Role] = [
        .text, .muted, .header, .title, .border, .cursor, .error, .warning, .ok, .bar, .barError, .accent,
        .status, .statusError, .key, .match,
    ] + (1...paletteSize).map { .service($0) }

    /// The role's name in theme files.
    public var name: String {
        switch self {
        case .text: return "text"
        case .muted: return "muted"
        case .header: return "header"
        case .title: return "title"
        case .border: return "border"
        case .cursor: return "cursor"
        case .error: return "error"
        case .warning: return "warning"
        case .ok: return "ok"
        case .bar: return "bar"
        case .barError: return "bar.error"
        case .accent: return "accent"
        case .status: return "status"
        case .statusError: return "status.error"
        case .key: return "key"
        case .match: return "match"
        case .service(let n): return "service.\(n)"
        }
    }
}

/// How a cell is drawn: a role plus bold/reverse, packed in two bytes so a cell stays
/// a plain 8-byte value (a frame is 12,000 of them, rebuilt on every change).
public struct Style: Hashable, Sendable {
    private var bits: UInt16

    public init(_ role: Role = .text, bold: Bool = false, reverse: Bool = false) {
        bits = UInt16(role.code) | (bold ? 0x100 : 0) | (reverse ? 0x200 : 0)
    }

    public var role: Role {
        get { Role(code: UInt8(truncatingIfNeeded: bits)) }
        set { bits = (bits & 0xFF00) | UInt16(newValue.code) }
    }

    public var bold: Bool {
        get { bits & 0x100 != 0 }
        set { bits = newValue ? bits | 0x100 : bits & ~0x100 }
    }

    public var reverse: Bool {
        get { bits & 0x200 != 0 }
        set { bits = newValue ? bits | 0x200 : bits & ~0x200 }
    }
}

extension Role {
    private static let fixed: [Role] = Array(all.prefix(16))

    /// One byte per role: the fixed roles by their place in `all`, service slots after
    /// them (slots 0...239; AppState hands out 1...paletteSize).
    var code: UInt8 {
        if case .service(let n) = self { return UInt8(16 + min(max(n, 0), 239)) }
        return UInt8(Self.fixed.firstIndex(of: self)!)
    }

    init(code: UInt8) {
        self = code < 16 ? Self.fixed[Int(code)] : .service(Int(code) - 16)
    }
}

/// One terminal cell: a Unicode scalar (or, for a grapheme of several scalars, an index
/// into its canvas's cluster table) and a style. A wide character occupies its cell and
/// the next, which holds a continuation marker so column arithmetic stays exact.
public struct Cell: Hashable, Sendable {
    /// A scalar value, or `clusterBase + index` into `Canvas.clusters`.
    var content: UInt32
    public var style: Style
    public var isContinuation: Bool

    static let clusterBase: UInt32 = 0x11_0000

    public static let blank = Cell(content: 0x20, style: Style(), isContinuation: false)

    var isCluster: Bool { content >= Self.clusterBase }
}

/// The in-memory screen every view renders into; the ncurses backend only blits it,
/// and tests read it back as text.
public struct Canvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Graphemes of more than one scalar (combining marks, emoji sequences), which
    /// are rare enough to live beside the grid rather than in every cell.
    private var clusters: [Character] = []

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// The character shown at (x, y); a continuation cell holds a space.
    public func character(x: Int, y: Int) -> Character {
        let cell = cells[y * width + x]
        if cell.isCluster { return clusters[Int(cell.content - Cell.clusterBase)] }
        return Character(Unicode.Scalar(cell.content) ?? " ")
    }

    /// Whether row `y` looks the same here and in `other` (same width).
    public func rowLooksSame(as other: Canvas, y: Int) -> Bool {
        let base = y * width
        for x in 0..<width {
            let a = cells[base + x], b = other.cells[base + x]
            if a == b, !a.isCluster { continue }
            if a.style != b.style || a.isContinuation != b.isContinuation
                || character(x: x, y: y) != other.character(x: x, y: y) { return false }
        }
        return true
    }

    public static func == (a: Canvas, b: Canvas) -> Bool {
        a.width == b.width && a.height == b.height && (0..<a.height).allSatisfy { a.rowLooksSame(as: b, y: $0) }
    }

    /// Fills a rectangle with blanks of a style (e.g. the cursor row's background).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int = 1, style: Style) {
        guard y >= 0 else { return }
        let blank = Cell(content: 0x20, style: style, isContinuation: false)
        for row in y..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) {
                cells[row * width + col] = blank
            }
        }
    }

    /// Writes text at (x, y), clipped to `maxWidth` columns and the canvas. Text is
    /// sanitized here, the last point before the terminal. Returns columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = Style(), maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        // Most of any screen is printable ASCII and one-column symbols (box drawing,
        // blocks, arrows, Latin letters): each such scalar is a whole grapheme that
        // needs no sanitizing, so it goes straight into its cell. A scalar is only
        // placed so when the one after it is simple too, since a following combining
        // mark or joiner would belong to its grapheme.
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i != scalars.endIndex {
            let v = scalars[i].value
            guard Self.isSimple(v) else { break }
            let next = scalars.index(after: i)
            if next != scalars.endIndex, !Self.isSimple(scalars[next].value) { break }
            if col + 1 > limit { return col - x }
            place(content: v, width: 1, x: col, y: y, style: style)
            col += 1
            i = next
        }
        if i == scalars.endIndex { return col - x }
        for ch in SafeText.sanitize(String(scalars[i...])) {
            let w = DisplayWidth.of(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            let content: UInt32
            if ch.unicodeScalars.count == 1 {
                content = ch.unicodeScalars.first!.value
            } else {
                content = Cell.clusterBase + UInt32(clusters.count)
                clusters.append(ch)
            }
            place(content: content, width: w, x: col, y: y, style: style)
            col += w
        }
        return col - x
    }

    /// A scalar that is a one-column grapheme on its own and safe to show as is.
    /// Every range here is printable, never combining, joining, wide or a format
    /// character, so the slow path would draw it identically.
    @inline(__always)
    static func isSimple(_ v: UInt32) -> Bool {
        if v < 0x7F { return v >= 0x20 }
        switch v {
        case 0xA0...0xAC, 0xAE...0x2FF, 0x2010...0x2027, 0x2030...0x205E, 0x2100...0x2319,
             0x231C...0x2328, 0x232B...0x23E8, 0x23ED...0x23EF, 0x23F1...0x23F2, 0x23F4...0x25FC,
             0x25FF...0x2613, 0x2616...0x2647, 0x2654...0x267E, 0x2680...0x2692, 0x2694...0x26A0:
            return true
        default:
            return false
        }
    }

    /// One cell's content of `width` columns at (x, y); off-screen columns are skipped.
    @inline(__always)
    private mutating func place(content: UInt32, width w: Int, x col: Int, y: Int, style: Style) {
        guard col >= 0 else { return }
        let at = y * width + col
        // Overwriting half of a wide character blanks its other half.
        if cells[at].isContinuation, col > 0 {
            cells[at - 1].content = 0x20
        }
        cells[at] = Cell(content: content, style: style, isContinuation: false)
        if w == 2 { cells[at + 1] = Cell(content: 0x20, style: style, isContinuation: true) }
    }

    /// Cells holding a C0 or C1 control character (ESC included), as "U+1b at 3,4".
    /// Always empty while everything goes through `put`; the fuzz target and the
    /// hostile-text tests check that it stays so.
    public var controlCharacterCells: [String] {
        var found: [String] = []
        for y in 0..<height {
            for x in 0..<width {
                for v in character(x: x, y: y).unicodeScalars.map(\.value) where v < 0x20 || (0x7F..<0xA0).contains(v) {
                    found.append("U+\(String(v, radix: 16)) at \(x),\(y)")
                }
            }
        }
        return found
    }

    /// The screen as text, one line per row, trailing spaces kept (golden tests).
    public var text: String {
        (0..<height).map(line).joined(separator: "\n")
    }

    public func line(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s.append(character(x: x, y: y)) }
        return s
    }
}
