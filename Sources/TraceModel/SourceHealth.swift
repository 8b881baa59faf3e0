/// A record that could not be used, kept for the status bar and `--verbose`.
public struct DecodeIssue: Sendable, Equatable {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// What a source is doing, shown in the status bar.
public enum SourceHealth: Sendable, Equatable {
    case loading(bytesRead: Int64, totalBytes: Int64)
    case following
    case done
    /// A remote source answering; the text says which API, when and how fast.
    case polling(String)
    case waiting(String)
    case failed(message: String, retryInSeconds: Double?)
}
