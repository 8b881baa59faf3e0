import Foundation
import Testing
import TraceSources
import TraceModel
@testable import ExplorerUI

@Suite struct ThemeTests {
    @Test(arguments: ["default", "light", "mono", "high-contrast"])
    func shippedThemesParse(_ name: String) throws {
        let text = try String(contentsOf: Paths.themes.appendingPathComponent("\(name).theme"), encoding: .utf8)
        let theme = try Theme.parse(text, source: name)
        #expect(theme.name == name)
        #expect(theme.usesColor == (name != "mono"))
    }

    @Test func builtInDefaultIsTheShippedFile() throws {
        let text = try String(contentsOf: Paths.themes.appendingPathComponent("default.theme"), encoding: .utf8)
        #expect(text.trimmed == Theme.defaultSource.trimmed)
        #expect(Theme.builtInDefault.entries.count == Role.all.count)
    }

    @Test func colourForms() throws {
        let t = try Theme.parse("text = default\ncursor = 231/white on 25/blue bold\nerror = bright-red\nbar = 42 underline", source: "t")
        #expect(t.entry(.cursor).foreground == ThemeColor(color256: 231, color8: 7))
        #expect(t.entry(.cursor).background == ThemeColor(color256: 25, color8: 4))
        #expect(t.entry(.cursor).bold)
        #expect(t.entry(.error).foreground == ThemeColor(color256: 9, color8: 1))
        #expect(t.entry(.bar).underline && t.entry(.bar).foreground.color256 == 42)
        #expect(t.entry(.service(3)) == t.entry(.text), "missing roles fall back to text")
    }

    @Test(arguments: [
        ("text = default\ncursor = reverse\nbogus = red\n", 3, "unknown role 'bogus'"),
        ("text = default\ncursor = purple\n", 2, "'purple' is not a colour"),
        ("text = default\ncursor reverse\n", 2, "expected 'role = value'"),
        ("text = 300\ncursor = reverse\n", 1, "'300' is not a colour"),
        ("text = red blue\ncursor = reverse\n", 1, "unexpected 'blue'"),
    ])
    func brokenThemesNameTheLine(_ text: String, _ line: Int, _ message: String) {
        #expect {
            try Theme.parse(text, source: "broken.theme")
        } throws: { error in
            guard let e = error as? ThemeError else { return false }
            return e.line == line && e.message.contains(message) && e.description.hasPrefix("broken.theme:\(line):")
        }
    }
}

@Suite struct TextTests {
    @Test func sanitizeEscapesControlsAndInvisibleCharacters() {
        #expect(SafeText.sanitize("plain") == "plain")
        #expect(SafeText.sanitize("a\u{1B}[2Jb") == "a\\x1b[2Jb")
        #expect(SafeText.sanitize("l1\nl2\tx\r") == "l1\\nl2\\tx\\r")
        #expect(SafeText.sanitize("\u{9B}31m") == "\\u009b31m")
        #expect(SafeText.sanitize("abc\u{202E}def") == "abc\\u202edef")
        #expect(SafeText.sanitize("zero\u{200B}width") == "zero\\u200bwidth")
        #expect(SafeText.sanitize("\u{7F}") == "\\x7f")
        #expect(SafeText.sanitize("café 注文 🚀") == "café 注文 🚀")
    }

    @Test func widths() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("注文") == 4)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)
        #expect(DisplayWidth.of("é") == 1)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("❤️") == 2)
        #expect(DisplayWidth.truncate("注文を処理", to: 5) == "注文…")
        #expect(DisplayWidth.pad("注", to: 4) == "注  ")
    }

    @Test func canvasKeepsWideCharactersWhole() {
        var c = Canvas(width: 5, height: 1)
        c.put("a注文", x: 0, y: 0)
        #expect(c.line(0) == "a注文")
        c.put("b", x: 2, y: 0)
        #expect(c.line(0) == "a b文", "overwriting half a wide character blanks the other half")
        var d = Canvas(width: 4, height: 1)
        d.put("ab注", x: 1, y: 0)
        #expect(d.line(0) == " ab ", "a wide character that does not fit is not drawn half")
    }

    /// `put` places simple scalars straight into cells; it must draw exactly what the
    /// grapheme-by-grapheme path (sanitize, then one cluster at a time) draws, whatever
    /// follows a simple scalar: combining marks, joiners, variation selectors, controls.
    @Test func fastPathDrawsWhatTheGraphemePathDraws() {
        let pieces: [String] = ["a", "Z", " ", "~", "é", "e\u{301}", "ʰ", "—", "…", "├", "█", "▸", "⚠", "⚠\u{FE0F}",
                                "☃", "⌚", "注", "👍🏽", "👩\u{200D}💻", "\u{1B}[2J", "\u{7}", "\n", "\u{AD}", "\u{200B}",
                                "\u{202E}", "\u{85}", "\u{301}", "\u{FE0F}", "🇫🇷", "\u{E0041}", "ﾃ", "µ·×"]
        var rng = DemoRandom(seed: 7)
        for round in 0..<3_000 {
            let text = (0..<rng.below(8)).map { _ in pieces[rng.below(pieces.count)] }.joined()
            let width = 2 + rng.below(14), x = rng.below(3)
            var canvas = Canvas(width: width, height: 1)
            let used = canvas.put(text, x: x, y: 0)
            var expected = String(repeating: " ", count: x), cols = x
            for ch in SafeText.sanitize(text) {
                let w = DisplayWidth.of(ch)
                if w == 0 { continue }
                if cols + w > width { break }
                expected.append(ch)
                cols += w
            }
            expected += String(repeating: " ", count: width - cols)
            #expect(canvas.line(0) == expected && used == cols - x, "round \(round): \(text.debugDescription) at \(x) in \(width)")
            #expect(canvas.controlCharacterCells.isEmpty)
        }
    }

    @Test func barsAreProportional() {
        let scale = TimeScale(start: 0, end: 100)
        #expect(scale.bar(start: 0, end: 100, width: 10) == "██████████")
        #expect(scale.bar(start: 50, end: 100, width: 10) == "     █████")
        #expect(scale.bar(start: 0, end: 25, width: 10) == "██▌       ")
        #expect(scale.bar(start: 40, end: 40, width: 10) == "    ▏     ")
    }

    @Test func countsFitTheirColumn() {
        #expect(Table.count(980_397, width: 8) == "980,397")
        #expect(Table.count(1_000_000, width: 8) == "1.0M")
        #expect(Table.count(1_000_000, width: 7) == "1.0M")
        #expect(Table.count(98_040, width: 7) == "98,040")
        #expect(Table.count(250_000, width: 7) == "250k")
        #expect(Table.count(9_999, width: 5) == "9999")
        #expect(Table.count(12_345, width: 5) == "12k")
        #expect(Table.abbreviated(1_999_999) == "1.9M")
        #expect(Table.abbreviated(999) == "999")
        #expect(Table.abbreviated(1_050) == "1.0k")
        #expect(Table.abbreviated(3_400_000_000) == "3.4G")
        for n in [0, 7, 999, 1_000, 9_999, 10_000, 99_999, 123_456, 999_999, 1_000_000, 45_678_901, 999_999_999] {
            for width in 5...9 { #expect(Table.count(n, width: width).count < width, "\(n) in \(width)") }
        }
    }

    @Test func timeFormatting() {
        #expect(TimeFormat.dateTime(1_795_559_836_427_527_031) == "2026-11-24 22:37:16.427")
        #expect(TimeFormat.timeOfDay(0, utcOffsetSeconds: 3600) == "01:00:00.000")
        #expect(TimeFormat.dateTime(951_782_400_000_000_000) == "2000-02-29 00:00:00.000")
    }
}

@Suite struct ClipboardTests {
    @Test func osc52CarriesBase64Text() {
        #expect(String(decoding: Clipboard.osc52("abc"), as: UTF8.self) == "\u{1B}]52;c;YWJj\u{07}")
    }
}
