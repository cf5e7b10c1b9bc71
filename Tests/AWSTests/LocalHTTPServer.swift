import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A one-route HTTP/1.1 server on 127.0.0.1 that answers every request with a fixed status and body (or, first,
/// the scripted answers in order) and records what it received.
final class LocalHTTPServer: Sendable {
    struct Received: Sendable {
        var method: String
        var uri: String
        var authorization: String?
        var headers: [(name: String, value: String)] = []
        var body: String = ""

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// One scripted answer.
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: [(name: String, value: String)] = []
    }

    let channel: any Channel
    let state: State

    final class State: Sendable {
        let answer: Mutex<(status: Int, body: String)>
        let received = Mutex<[Received]>([])
        let script = Mutex<[Answer]>([])
        let route = Mutex<(@Sendable (Received) -> Answer)?>(nil)

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

    /// Answers with `script` in order, then with `status`/`body` for every further request.
    static func start(status: Int = 200, body: String, script: [Answer] = []) async throws -> LocalHTTPServer {
        let state = State(status: status, body: body)
        state.script.withLock { $0 = script }
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

    /// Answers every request with what `route` returns for it (a fake with paths and rules of its own).
    static func start(route: @escaping @Sendable (Received) -> Answer) async throws -> LocalHTTPServer {
        let server = try await start(body: "")
        server.state.route.withLock { $0 = route }
        return server
    }

    /// Runs `body` with `server` and a fresh client, then shuts both down whatever happens (an `HTTPClient` left
    /// running fails its deinit check and ends the test process).
    static func serving(
        _ server: LocalHTTPServer, _ body: (LocalHTTPServer, HTTPClient) async throws -> Void
    ) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            await server.stop()
            throw error
        }
        try await client.shutdown()
        await server.stop()
    }

    func stop() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: State
        var current: Received?

        init(state: State) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                current = Received(
                    method: head.method.rawValue, uri: head.uri, authorization: head.headers["authorization"].first,
                    headers: head.headers.map { ($0.name, $0.value) })
            case .body(let buffer):
                current?.body += String(buffer: buffer)
            case .end:
                if let current { state.received.withLock { $0.append(current) } }
                let routed = current.flatMap { received in state.route.withLock { $0 }.map { $0(received) } }
                let scripted = routed ?? state.script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                let (status, body): (Int, String) =
                    scripted.map { ($0.status, $0.body) } ?? state.answer.withLock { ($0.status, $0.body) }
                var headers = HTTPHeaders()
                for (name, value) in scripted?.headers ?? [] { headers.add(name: name, value: value) }
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.utf8.count))
                headers.add(name: "connection", value: "close")
                current = nil
                let head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}
