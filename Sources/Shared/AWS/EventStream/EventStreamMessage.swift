/// One message of the AWS event-stream framing (`application/vnd.amazon.eventstream`).
public struct EventStreamMessage: Sendable, Hashable {
    public var headers: EventStreamHeaders
    public var payload: [UInt8]

    public init(headers: EventStreamHeaders = EventStreamHeaders(), payload: [UInt8] = []) {
        self.headers = headers
        self.payload = payload
    }

    /// `:message-type`: `event`, `exception` or `error`.
    public var messageType: String? { headers.string(":message-type") }
    /// `:event-type` of an event (for Bedrock `messageStart`, `contentBlockDelta`, `chunk`, …).
    public var eventType: String? { headers.string(":event-type") }
    /// `:exception-type` of a modeled exception (for Bedrock `throttlingException`, …).
    public var exceptionType: String? { headers.string(":exception-type") }
    /// `:content-type` of the payload.
    public var contentType: String? { headers.string(":content-type") }
    /// `:error-code` of an `error` message.
    public var errorCode: String? { headers.string(":error-code") }
    /// `:error-message` of an `error` message.
    public var errorMessage: String? { headers.string(":error-message") }
}
