import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 connection carrying a streamed `/response` POST. AsyncHTTPClient cannot send request trailers, and
/// a stream that fails midway must end with them, so this is a minimal client of its own over NIOHTTP1: the head,
/// each chunk as it is written (flushed, so the Runtime API sees it at once), then `.end(trailers)`.
struct StreamingConnection: Sendable {
    let channel: any Channel
    /// The Runtime API's answer status, once its answer ended.
    let answer: EventLoopFuture<Int>

    static func open(
        endpoint: LambdaRuntimeEndpoint, head: HTTPRequestHead, group: any EventLoopGroup
    ) async throws -> StreamingConnection {
        let loop = group.next()
        let answer = loop.makePromise(of: Int.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // The head carries its own framing headers (chunked, announced trailers): sent as they are.
                        var encoder = HTTPRequestEncoder.Configuration()
                        encoder.automaticallySetFramingHeaders = false
                        try channel.pipeline.syncOperations.addHTTPClientHandlers(encoderConfiguration: encoder)
                        try channel.pipeline.syncOperations.addHandler(AnswerHandler(answer: answer))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            answer.fail(error)
            throw error
        }
        let connection = StreamingConnection(channel: channel, answer: answer.futureResult)
        try await connection.send(.head(head))
        return connection
    }

    func write(_ buffer: ByteBuffer) async throws {
        try await send(.body(.byteBuffer(buffer)))
    }

    /// Ends the request (with `trailers`, if any), waits for the answer and closes; throws unless it is a 2xx.
    func end(trailers: HTTPHeaders?, path: String) async throws {
        defer { channel.close(promise: nil) }
        try await send(.end(trailers))
        let status = try await answer.get()
        guard (200..<300).contains(status) else { throw LambdaRuntimeError.unexpectedStatus(status, path: path) }
    }

    func close() {
        channel.close(promise: nil)
    }

    private func send(_ part: HTTPClientRequestPart) async throws {
        try await channel.writeAndFlush(part).get()
    }
}

/// Completes the answer promise with the status once the answer has ended (or fails it if the connection drops).
private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let answer: EventLoopPromise<Int>
    var status: Int?

    init(answer: EventLoopPromise<Int>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body:
            break
        case .end:
            answer.succeed(status ?? 0)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(LambdaRuntimeError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.fail(error)
        context.close(promise: nil)
    }
}
