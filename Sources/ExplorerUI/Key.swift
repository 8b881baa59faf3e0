/// A key press, decoded by the backend from ncurses codes.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    case ctrl(Character)
    case function(Int)

    /// How the help overlay names the key.
    public var label: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .delete: return "Del"
        case .ctrl(let c): return "C-\(c)"
        case .function(let n): return "F\(n)"
        }
    }
}

/// What a key does. One table maps keys to actions per context, and the same table
/// generates the help overlay and the key hints in the status bar.
public enum Action: Hashable, Sendable {
    case up, down, pageUp, pageDown, top, bottom
    case open, back, quit, help, filter, pause
    case switchPane, toggleCollapse, collapse, expand, collapseAll, expandAll
    case nextMatch, previousMatch, hideNonMatching, reveal, cycleSort, allTraces, toggleErrors, copy, searchForm, insights
}

public enum Context: String, Sendable, CaseIterable {
    case global = "Everywhere"
    case services = "Services"
    case traces = "Traces"
    case waterfall = "Waterfall"
    case detail = "Span detail"
    case insights = "Insights"
}

public struct KeyBinding: Sendable {
    public var context: Context
    public var keys: [Key]
    public var action: Action
    public var help: String
    /// Shown in the status bar's key hints.
    public var hint: String?
}

public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(context: .global, keys: [.up, .char("k")], action: .up, help: "move up"),
        KeyBinding(context: .global, keys: [.down, .char("j")], action: .down, help: "move down"),
        KeyBinding(context: .global, keys: [.pageUp, .ctrl("b")], action: .pageUp, help: "page up"),
        KeyBinding(context: .global, keys: [.pageDown, .ctrl("f")], action: .pageDown, help: "page down"),
        KeyBinding(context: .global, keys: [.char("g"), .home], action: .top, help: "go to top"),
        KeyBinding(context: .global, keys: [.char("G"), .end], action: .bottom, help: "go to bottom"),
        KeyBinding(context: .global, keys: [.enter], action: .open, help: "open / drill in", hint: "open"),
        KeyBinding(context: .global, keys: [.escape, .backspace], action: .back, help: "back / clear filter", hint: "back"),
        KeyBinding(context: .global, keys: [.char("/")], action: .filter, help: "filter (typing narrows live; Enter keeps, Esc clears)", hint: "filter"),
        KeyBinding(context: .global, keys: [.char("p")], action: .pause, help: "pause / resume live updates", hint: "pause"),
        KeyBinding(context: .global, keys: [.char("i")], action: .insights, help: "insights: the tracing guide's rules checked on these traces", hint: "insights"),
        KeyBinding(context: .global, keys: [.char("?")], action: .help, help: "this help", hint: "help"),
        KeyBinding(context: .global, keys: [.char("q"), .ctrl("c")], action: .quit, help: "quit", hint: "quit"),
        KeyBinding(context: .services, keys: [.char("s")], action: .cycleSort, help: "cycle the sort column", hint: "sort"),
        KeyBinding(context: .services, keys: [.char("t")], action: .allTraces, help: "all traces (every service)", hint: "all traces"),
        KeyBinding(context: .services, keys: [.char("f")], action: .searchForm, help: "search form (Jaeger): service, operation, tags, lookback, durations, limit", hint: "search"),
        KeyBinding(context: .traces, keys: [.char("f")], action: .searchForm, help: "search form (Jaeger)", hint: "search"),
        KeyBinding(context: .traces, keys: [.char("E")], action: .toggleErrors, help: "errors only on/off", hint: "errors"),
        KeyBinding(context: .traces, keys: [.char("y")], action: .copy, help: "copy the trace id (OSC 52)"),
        KeyBinding(context: .waterfall, keys: [.char(" ")], action: .toggleCollapse, help: "collapse / expand the subtree", hint: "fold"),
        KeyBinding(context: .waterfall, keys: [.left, .char("h")], action: .collapse, help: "collapse (or go to parent)"),
        KeyBinding(context: .waterfall, keys: [.right, .char("l")], action: .expand, help: "expand"),
        KeyBinding(context: .waterfall, keys: [.char("c")], action: .collapseAll, help: "collapse all"),
        KeyBinding(context: .waterfall, keys: [.char("e")], action: .expandAll, help: "expand all"),
        KeyBinding(context: .waterfall, keys: [.char("n")], action: .nextMatch, help: "next match of the filter", hint: "next"),
        KeyBinding(context: .waterfall, keys: [.char("N")], action: .previousMatch, help: "previous match of the filter"),
        KeyBinding(context: .waterfall, keys: [.char("H")], action: .hideNonMatching,
                   help: "hide spans not matching the filter (ancestors stay)"),
        KeyBinding(context: .waterfall, keys: [.char("R")], action: .reveal,
                   help: "reveal (or hide again) this span's redacted secret-looking values"),
        KeyBinding(context: .waterfall, keys: [.tab, .backTab], action: .switchPane, help: "switch between waterfall and detail", hint: "detail"),
        KeyBinding(context: .waterfall, keys: [.char("y")], action: .copy, help: "copy the trace id (OSC 52)"),
        KeyBinding(context: .detail, keys: [.tab, .backTab], action: .switchPane, help: "back to the waterfall", hint: "waterfall"),
        KeyBinding(context: .detail, keys: [.char("y")], action: .copy, help: "copy the selected value (OSC 52)", hint: "copy"),
    ]

    /// The action for a key in a context; a context's own bindings win over global ones.
    public static func action(for key: Key, in context: Context) -> Action? {
        let own = bindings.first { $0.context == context && $0.keys.contains(key) }
        if let own { return own.action }
        // The detail pane inherits the waterfall's keys it does not redefine.
        if context == .detail, let w = bindings.first(where: { $0.context == .waterfall && $0.keys.contains(key) }),
           [.nextMatch, .previousMatch].contains(w.action) {
            return w.action
        }
        return bindings.first { $0.context == .global && $0.keys.contains(key) }?.action
    }

    public static func hints(for context: Context, canSearch: Bool = false) -> [(String, String)] {
        let own = bindings.filter { $0.context == context && $0.hint != nil && (canSearch || $0.action != .searchForm) }
        let global = bindings.filter { $0.context == .global && $0.hint != nil }
        return (own + global).map { ($0.keys.map(\.label).joined(separator: "/"), $0.hint!) }
    }
}
