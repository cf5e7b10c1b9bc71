import NIOCore
import NIOPosix
import Synchronization

/// A service that answers every request as soon as its head arrives and never reads the body: a refusal decided on
/// the headers (a bad signature, a body too large), as the internal services give.
final class EarlyAnswerServer: Sendable {
    let channel: any Channel
    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }

    private init(channel: any Channel) { self.channel = channel }

    static let body = #"{"error":{"message":"refused before the body","type":"invalid_request_error"}}"#

    static func start() async throws -> EarlyAnswerServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.pipeline.addHandler(Handler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        return EarlyAnswerServer(channel: channel)
    }

    func stop() async { try? await channel.close() }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var answered = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            answered = true
            let text =
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n"
                + "content-length: \(EarlyAnswerServer.body.utf8.count)\r\n\r\n\(EarlyAnswerServer.body)"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
        }
    }
}

/// A client that writes raw bytes on one connection (a body in parts, a second request after it) and collects
/// what comes back.
final class RawHTTPClient: Sendable {
    let channel: any Channel
    let received: Box

    private init(channel: any Channel, received: Box) {
        self.channel = channel
        self.received = received
    }

    /// A connection to `gateway`'s listening port.
    static func connect(to gateway: TestGateway) async throws -> RawHTTPClient {
        try await connect(port: Int(gateway.baseURL.split(separator: ":").last!)!)
    }

    static func connect(port: Int) async throws -> RawHTTPClient {
        let box = Box()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { $0.pipeline.addHandler(Collector(box: box)) }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPClient(channel: channel, received: box)
    }

    func send(_ text: String) async throws { try await channel.writeAndFlush(ByteBuffer(string: text)) }

    /// What arrived once `done` holds for it (waits up to 10 s).
    func wait(until done: (String) -> Bool) async throws -> String {
        for _ in 0..<500 {
            let text = received.mutex.withLock { $0 }
            if done(text) { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
        return received.mutex.withLock { $0 }
    }

    func close() async { try? await channel.close() }

    final class Box: Sendable {
        let mutex = Mutex("")
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: Box
        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            box.mutex.withLock { $0 += text }
        }
    }
}
