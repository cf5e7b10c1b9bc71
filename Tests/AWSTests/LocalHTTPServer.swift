import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A one-route HTTP/1.1 server on 127.0.0.1 that answers every request with a fixed status and body and records
/// what it received.
final class LocalHTTPServer: Sendable {
    struct Received: Sendable {
        var method: String
        var uri: String
        var authorization: String?
    }

    let channel: any Channel
    let state: State

    final class State: Sendable {
        let answer: Mutex<(status: Int, body: String)>
        let received = Mutex<[Received]>([])

        init(status: Int, body: String) {
            answer = Mutex((status, body))
        }
    }

    var port: Int { channel.localAddress!.port! }
    var requests: [Received] { state.received.withLock { $0 } }

    private init(channel: any Channel, state: State) {
        self.channel = channel
        self.state = state
    }

    static func start(status: Int = 200, body: String) async throws -> LocalHTTPServer {
        let state = State(status: status, body: body)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return LocalHTTPServer(channel: channel, state: state)
    }

    func stop() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State

        init(state: State) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                let received = Received(
                    method: head.method.rawValue, uri: head.uri, authorization: head.headers["authorization"].first)
                state.received.withLock { $0.append(received) }
            case .body:
                break
            case .end:
                let (status, body) = state.answer.withLock { $0 }
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.utf8.count))
                headers.add(name: "connection", value: "close")
                let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}
