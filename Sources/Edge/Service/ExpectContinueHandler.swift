import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (`ContinueExpectation`) on a connection that has no `FastChatHandler`, which
/// otherwise does it; placed right after the HTTP codec.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    var expectation = ContinueExpectation()

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if expectation.requestHead(&head) {
            context.writeAndFlush(wrapOutboundOut(.head(ContinueExpectation.response)), promise: nil)
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            expectation.responseHead()
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            if expectation.responseEnded() {
                context.write(wrapOutboundOut(.head(ContinueExpectation.response)), promise: nil)
            }
        case .body:
            context.write(data, promise: promise)
        }
    }

    /// A new handler for one connection.
    public static func handler() -> any RemovableChannelHandler { ExpectContinueHandler() }
}
