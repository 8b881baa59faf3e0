import TraceModel

/// What sources hand to the main loop. Sources never touch UI state.
public enum SourceEvent: Sendable {
    case spans([Span])
    case health(SourceHealth)
    case decodeIssue(DecodeIssue)
}
