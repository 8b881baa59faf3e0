import TraceModel

/// A colour as a theme names it: a 256-colour index with an 8-colour fallback, or the
/// terminal's default (-1).
public struct ThemeColor: Hashable, Sendable {
    public var color256: Int
    public var color8: Int

    public static let terminalDefault = ThemeColor(color256: -1, color8: -1)
}

public struct ThemeEntry: Hashable, Sendable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    public init() {}
}

public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var line: Int
    public var message: String
    public var description: String { "\(source):\(line): \(message)" }
}

/// Roles → colours and attributes, read from a small `role = colour [on colour] [attrs]`
/// file (see themes/). A theme with no colours at all (mono) uses attributes only.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var entries: [Role: ThemeEntry]

    public func entry(_ role: Role) -> ThemeEntry {
        if let e = entries[role] { return e }
        if case .service = role { return entries[.text] ?? ThemeEntry() }
        return entries[.text] ?? ThemeEntry()
    }

    public var usesColor: Bool {
        entries.values.contains { $0.foreground != .terminalDefault || $0.background != .terminalDefault }
    }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public static func parse(_ text: String, source: String) throws -> Theme {
        var entries: [Role: ThemeEntry] = [:]
        var name = source
        let roles = Dictionary(uniqueKeysWithValues: Role.all.map { ($0.name, $0) })
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if line.allSatisfy(\.isWhitespace) { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ThemeError(source: source, line: lineNumber, message: "expected 'role = value'")
            }
            let key = line[..<eq].trimmed
            let value = line[line.index(after: eq)...].trimmed
            if key == "name" { name = value; continue }
            guard let role = roles[key] else {
                throw ThemeError(source: source, line: lineNumber,
                                 message: "unknown role '\(key)' (known: \(Role.all.map(\.name).joined(separator: ", ")), name)")
            }
            entries[role] = try parseEntry(value, source: source, line: lineNumber)
        }
        for required in [Role.text, .cursor] where entries[required] == nil {
            throw ThemeError(source: source, line: 0, message: "missing the '\(required.name)' role")
        }
        return Theme(name: name, entries: entries)
    }

    private static func parseEntry(_ value: String, source: String, line: Int) throws -> ThemeEntry {
        var entry = ThemeEntry()
        var words = value.split(separator: " ").map(String.init)[...]
        var sawForeground = false
        while let word = words.popFirst() {
            switch word {
            case "bold": entry.bold = true
            case "reverse": entry.reverse = true
            case "underline": entry.underline = true
            case "dim": entry.dim = true
            case "on":
                guard let bg = words.popFirst() else { throw ThemeError(source: source, line: line, message: "'on' needs a colour") }
                entry.background = try parseColor(bg, source: source, line: line)
            default:
                guard !sawForeground else {
                    throw ThemeError(source: source, line: line, message: "unexpected '\(word)'")
                }
                entry.foreground = try parseColor(word, source: source, line: line)
                sawForeground = true
            }
        }
        return entry
    }

    /// `default`, a colour name (`red`, `bright-red`), `0`–`255`, or `NNN/name` for a
    /// 256-colour value with an explicit 8-colour fallback.
    private static func parseColor(_ text: String, source: String, line: Int) throws -> ThemeColor {
        if text == "default" { return .terminalDefault }
        let parts = text.split(separator: "/").map(String.init)
        func basic(_ s: String) -> Int? {
            if let i = colorNames.firstIndex(of: s) { return i }
            if s.hasPrefix("bright-"), let i = colorNames.firstIndex(of: String(s.dropFirst(7))) { return i + 8 }
            return nil
        }
        if parts.count == 2, let n = Int(parts[0]), (0...255).contains(n), let b = basic(parts[1]) {
            return ThemeColor(color256: n, color8: b % 8)
        }
        if parts.count == 1 {
            if let b = basic(parts[0]) { return ThemeColor(color256: b, color8: b % 8) }
            if let n = Int(parts[0]), (0...255).contains(n) { return ThemeColor(color256: n, color8: n < 16 ? n % 8 : 7) }
        }
        throw ThemeError(source: source, line: line, message: "'\(text)' is not a colour (a name, 0-255, NNN/name or default)")
    }

    /// Built in so the explorer works from any directory; themes/default.theme is the
    /// same text (a test keeps them equal).
    public static let defaultSource = """
        # spanscope default theme (dark background). Roles: see README "Themes".
        name = default
        text = default
        muted = 244/white
        header = 110/cyan bold
        title = 231/white on 24/blue bold
        border = 240/white
        cursor = 231/white on 25/blue bold
        error = 203/red bold
        warning = 214/yellow
        ok = 114/green
        bar = 74/cyan
        bar.error = 203/red
        accent = 179/yellow bold
        status = 252/white on 236/black
        status.error = 231/white on 124/red bold
        key = 179/yellow bold
        match = 16/black on 179/yellow
        service.1 = 81/cyan
        service.2 = 150/green
        service.3 = 215/yellow
        service.4 = 177/magenta
        service.5 = 111/blue
        service.6 = 217/red
        service.7 = 229/yellow
        service.8 = 152/cyan

        """

    public static let builtInDefault: Theme = (try? parse(defaultSource, source: "default")) ?? Theme(name: "default", entries: [:])
}
