import TraceModel

/// OSC 52 asks the terminal to put text on the clipboard; it travels over SSH, so it
/// works where a local clipboard tool would not (tmux needs `set-clipboard on`).
public enum Clipboard {
    public static func osc52(_ text: String) -> [UInt8] {
        Array(("\u{1B}]52;c;" + Base64.encode(Array(text.utf8)) + "\u{07}").utf8)
    }
}
