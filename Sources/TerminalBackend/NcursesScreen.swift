import CNcursesw
import ExplorerUI
#if canImport(Glibc)
import Glibc
#endif

/// The only code that knows ncurses exists: sets the terminal up, blits a `Canvas`
/// (ncurses diffs it against the screen, so only changes are sent), reads keys, and
/// restores the terminal however the program ends.
public final class NcursesScreen {
    private var pairs: [Role: attr_t] = [:]
    private var started = false
    private var last: Canvas?

    public init() {}

    public var size: (width: Int, height: Int) {
        (Int(getmaxx(shim_stdscr())), Int(getmaxy(shim_stdscr())))
    }

    /// Enters curses mode. `inputTimeoutMillis` bounds how long `readKey` waits.
    public func start(theme: Theme, colorAllowed: Bool, inputTimeoutMillis: Int32) {
        setlocale(LC_ALL, "")
        // Under LC_ALL=C (common over SSH) ncursesw drops every non-ASCII character.
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        TerminalRestore.install()
        initscr()
        started = true
        TerminalRestore.active = true
        cbreak()
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        timeout(inputTimeoutMillis)
        setupColors(theme: theme, allowed: colorAllowed)
    }

    private func setupColors(theme: Theme, allowed: Bool) {
        let useColor = allowed && has_colors() && theme.usesColor
        if useColor {
            start_color()
            use_default_colors()
        }
        let many = useColor && shim_colors() >= 256
        for (index, role) in Role.all.enumerated() {
            let e = theme.entry(role)
            var attr = shim_a_normal()
            if e.bold { attr |= shim_a_bold() }
            if e.reverse { attr |= shim_a_reverse() }
            if e.underline { attr |= shim_a_underline() }
            if e.dim { attr |= shim_a_dim() }
            if useColor {
                let fg = many ? e.foreground.color256 : e.foreground.color8
                let bg = many ? e.background.color256 : e.background.color8
                let pair = Int32(index + 1)
                if pair < shim_color_pairs() {
                    init_pair(Int16(pair), Int16(fg), Int16(bg))
                    attr |= shim_color_pair(pair)
                }
            } else if role == .cursor || role == .title || role == .status || role == .statusError || role == .match {
                // Without colours these must still stand out.
                attr |= shim_a_reverse()
            }
            pairs[role] = attr
        }
    }

    private func attribute(for style: Style) -> attr_t {
        var a = pairs[style.role] ?? shim_a_normal()
        if style.bold { a |= shim_a_bold() }
        if style.reverse { a |= shim_a_reverse() }
        return a
    }

    /// Draws a canvas. Unchanged rows are skipped; ncurses sends only changed cells.
    public func draw(_ canvas: Canvas) {
        let fullRedraw = last == nil || last!.width != canvas.width || last!.height != canvas.height
        for y in 0..<canvas.height {
            if !fullRedraw, canvas.rowLooksSame(as: last!, y: y) { continue }
            var x = 0
            while x < canvas.width {
                let style = canvas[x, y].style
                var run = ""
                let start = x
                while x < canvas.width, canvas[x, y].style == style {
                    if !canvas[x, y].isContinuation { run.append(canvas.character(x: x, y: y)) }
                    x += 1
                }
                shim_attrset(attribute(for: style))
                // The bottom-right cell makes ncurses report an error after drawing it: harmless.
                _ = mvaddstr(Int32(y), Int32(start), run)
            }
        }
        shim_attrset(shim_a_normal())
        refresh()
        last = canvas
    }


    public enum Input {
        case key(Key)
        case resize
    }

    /// How long `readKey` waits; 0 polls (while a backlog of spans is being applied).
    public func setInputTimeout(milliseconds: Int32) {
        timeout(milliseconds)
    }

    /// One key, or nil when the timeout passed with none.
    public func readKey() -> Input? {
        var ch: wint_t = 0
        let r = get_wch(&ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES {
            let code = Int32(ch)
            if code == shim_key_resize() { return .resize }
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            default:
                for n in 1...12 where code == shim_key_f(Int32(n)) { return .key(.function(n)) }
                return nil
            }
        }
        switch ch {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 127, 8: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(ch) + 96))))
        default:
            guard let scalar = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .key(.char(Character(scalar)))
        }
    }

    /// Forget what is on screen (after a resize ncurses repaints everything anyway).
    public func invalidate() {
        last = nil
        clearok(shim_stdscr(), true)
    }

    /// Writes an OSC 52 clipboard request straight to the terminal.
    public func copyToClipboard(_ text: String) {
        var bytes = Clipboard.osc52(text)
        _ = write(1, &bytes, bytes.count)
    }

    public func stop() {
        guard started else { return }
        started = false
        TerminalRestore.active = false
        endwin()
    }
}
