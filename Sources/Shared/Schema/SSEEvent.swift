/// One Server-Sent Event.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field (`nil` when absent or empty, i.e. the default "message" type).
    public var event: String?
    /// All `data:` lines of the event joined with "\n".
    public var data: String
    /// The `id:` field set within this event's block, if any.
    public var id: String?
    /// The `retry:` field set within this event's block, if it consisted only of ASCII digits.
    public var retry: Int?

    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// Thrown by `SSEDecoder` when a single event grows beyond `maxEventBytes`.
public struct SSEDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
