import TraceModel

/// The hand-over point between background sources and the main loop: sources post,
/// the main loop drains between key reads. Never blocks for longer than an append.
public final class SourceInbox: Sendable {
    private let pending = Locked<[SourceEvent]>([])

    public init() {}

    public func post(_ event: SourceEvent) {
        pending.withLock { $0.append(event) }
    }

    public func drain() -> [SourceEvent] {
        pending.withLock { events in
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
