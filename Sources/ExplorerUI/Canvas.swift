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

public struct Style: Hashable, Sendable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool

    public init(_ role: Role = .text, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }
}

/// One terminal cell. A wide character occupies its cell and the next, which holds
/// a continuation marker (`isContinuation`) so column arithmetic stays exact.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: Style
    public var isContinuation: Bool

    public static let blank = Cell(character: " ", style: Style(), isContinuation: false)
}

/// The in-memory screen every view renders into; the ncurses backend only blits it,
/// and tests read it back as text.
public struct Canvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Fills a rectangle with blanks of a style (e.g. the cursor row's background).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int = 1, style: Style) {
        guard y >= 0 else { return }
        for row in y..<min(height, y + h) {
            for col in max(0, x)..<min(width, x + w) {
                cells[row * width + col] = Cell(character: " ", style: style, isContinuation: false)
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
        // Printable ASCII (most of any screen) needs no sanitizing or grapheme breaking.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for b in text.utf8 {
                if col + 1 > limit { break }
                place(Character(Unicode.Scalar(b)), width: 1, x: col, y: y, style: style)
                col += 1
            }
            return col - x
        }
        for ch in SafeText.sanitize(text) {
            let w = DisplayWidth.of(ch)
            if w == 0 { continue }
            if col + w > limit { break }
            place(ch, width: w, x: col, y: y, style: style)
            col += w
        }
        return col - x
    }

    /// One character of `width` columns at (x, y); off-screen columns are skipped.
    private mutating func place(_ ch: Character, width w: Int, x col: Int, y: Int, style: Style) {
        guard col >= 0 else { return }
        // Overwriting half of a wide character blanks its other half.
        if cells[y * width + col].isContinuation, col > 0 {
            cells[y * width + col - 1].character = " "
        }
        cells[y * width + col] = Cell(character: ch, style: style, isContinuation: false)
        if w == 2 { cells[y * width + col + 1] = Cell(character: " ", style: style, isContinuation: true) }
    }

    /// Cells holding a C0 or C1 control character (ESC included), as "U+1b at 3,4".
    /// Always empty while everything goes through `put`; the fuzz target and the
    /// hostile-text tests check that it stays so.
    public var controlCharacterCells: [String] {
        var found: [String] = []
        for y in 0..<height {
            for x in 0..<width {
                for v in self[x, y].character.unicodeScalars.map(\.value) where v < 0x20 || (0x7F..<0xA0).contains(v) {
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
        for x in 0..<width where !self[x, y].isContinuation { s.append(self[x, y].character) }
        return s
    }
}
