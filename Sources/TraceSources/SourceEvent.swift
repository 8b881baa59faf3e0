import TraceModel

/// What sources hand to the main loop. Sources never touch UI state.
public enum SourceEvent: Sendable {
    case spans([Span])
    case health(SourceHealth)
    case decodeIssue(DecodeIssue)
    /// Something the user should know about the source that is neither health nor a bad
    /// record (a followed file was truncated or rotated), shown once.
    case notice(String)
    /// The services a remote backend knows, whether or not spans of them are loaded.
    case services([String])
    /// Trace list rows for traces whose spans are not fetched yet (Jaeger trace summaries).
    case summaries([TraceSummary])
}
