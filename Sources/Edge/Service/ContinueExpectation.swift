import HTTPTypes

/// When to answer `Expect: 100-continue` on one connection: at once, unless an earlier (pipelined) response has not
/// ended, in which case after it, or not at all when the request's own answer comes first. Hummingbird does not
/// answer the expectation, and curl, which adds it to every body over 1 MiB (a base64 image, a document, an audio
/// file), then waits a second before sending the body anyway. The head goes on without the expectation, which is
/// met; its body is read and judged as any other (over its endpoint's limit, 413).
///
/// Kept by whichever handler already reads every request part and response part on the connection
/// (`FastChatHandler`, or else `ExpectContinueHandler`): casting each part out of the pipeline costs a few per cent
/// of the requests per second when a handler of its own does it.
public struct ContinueExpectation: Sendable {
    /// Requests read whose response has not ended.
    var outstanding = 0
    /// The newest request waits for its `100 Continue` behind earlier responses.
    var deferred = false

    public init() {}

    /// The `100 Continue` response head.
    public static let response = HTTPResponse(status: .continue)

    /// A request head was read: removes a `100-continue` expectation from it; true when `100 Continue` is to be
    /// written now.
    public mutating func requestHead(_ head: inout HTTPRequest) -> Bool {
        outstanding += 1
        guard head.headerFields.contains(.expect), Self.expectsContinue(head.headerFields[.expect]) else {
            return false
        }
        head.headerFields[.expect] = nil
        if outstanding == 1 { return true }
        deferred = true
        return false
    }

    /// A response head is written: when it answers the newest request, that request's `100 Continue` is not needed.
    public mutating func responseHead() {
        if outstanding == 1 { deferred = false }
    }

    /// A response ended; true when the deferred `100 Continue` is to be written now (after that end).
    public mutating func responseEnded() -> Bool {
        outstanding = max(0, outstanding - 1)
        guard deferred && outstanding == 1 else { return false }
        deferred = false
        return true
    }

    /// Whether an `Expect` value is `100-continue` (compared without regard to case, as RFC 9110 says).
    static func expectsContinue(_ value: String?) -> Bool {
        guard let value else { return false }
        let expected = "100-continue".utf8
        return value.utf8.count == expected.count
            && zip(value.utf8, expected).allSatisfy { $0 == $1 || ($1 >= UInt8(ascii: "a") && $0 | 0x20 == $1) }
    }
}
