import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` when the head arrives, so that the client sends its body at
/// once. curl adds the expectation to every body over 1 MiB (a base64 image, a document to ingest, an audio file)
/// and, with no answer, waits a second before sending the body anyway; Hummingbird does not answer it. The head goes
/// on without the expectation, which is met, and its body is read and judged as any other (a body over its
/// endpoint's limit is answered 413, as without the header: the limits differ by endpoint, and the endpoint decides).
///
/// A `100 Continue` is never sent ahead of an earlier response on the connection (a pipelined head): it waits until
/// that response has ended, and is dropped when the request's own answer comes first.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// Requests read whose response has not ended.
    var outstanding = 0
    /// The newest request waits for its `100 Continue` behind earlier responses.
    var continueDeferred = false

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        outstanding += 1
        guard head.headerFields.contains(.expect), Self.expectsContinue(head.headerFields[.expect]) else {
            context.fireChannelRead(data)
            return
        }
        head.headerFields[.expect] = nil
        if outstanding == 1 {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        } else {
            continueDeferred = true
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head where outstanding == 1:
            // The waiting request's own answer, before its body: no `100 Continue` any more.
            continueDeferred = false
            context.write(data, promise: promise)
        case .end:
            outstanding = max(0, outstanding - 1)
            context.write(data, promise: promise)
            if continueDeferred && outstanding == 1 {
                continueDeferred = false
                context.write(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        case .head, .body:
            context.write(data, promise: promise)
        }
    }

    /// Whether an `Expect` value is `100-continue` (compared without regard to case, as RFC 9110 says).
    static func expectsContinue(_ value: String?) -> Bool {
        guard let value else { return false }
        let expected = "100-continue".utf8
        return value.utf8.count == expected.count
            && zip(value.utf8, expected).allSatisfy { $0 == $1 || ($1 >= UInt8(ascii: "a") && $0 | 0x20 == $1) }
    }

    /// A new handler for one connection, to be placed right after the HTTP codec, before any handler that answers.
    public static func handler() -> any RemovableChannelHandler { ExpectContinueHandler() }
}
