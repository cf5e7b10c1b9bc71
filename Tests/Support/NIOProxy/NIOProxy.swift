import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The benchmark's floor: a pass-through proxy on SwiftNIO's channel handlers, with no Hummingbird, parsing,
/// authentication or logging. Each request is answered by a Swift task that runs on its connection's event loop and
/// awaits the upstream's answer, over one keep-alive upstream connection per client connection on that same loop, so
/// a request never changes threads. What the gateway costs beyond this is what its HTTP server layers, thread hops
/// and own work cost.
@main
struct NIOProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-nio-proxy", abstract: "A bare SwiftNIO pass-through proxy, for benchmarks only.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 0
    @Option(help: "Upstream host.") var upstreamHost = "127.0.0.1"
    @Option(help: "Upstream port.") var upstreamPort: Int

    func run() async throws {
        let upstream = try SocketAddress.makeAddressResolvingHost(upstreamHost, port: upstreamPort)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ProxyHandler(upstream: upstream))
                }
            }
            .bind(host: host, port: port).get()
        FileHandle.standardOutput.write(Data("listening on \(server.localAddress?.port ?? 0)\n".utf8))
        try await server.closeFuture.get()
    }
}

/// The upstream's answer to one request.
struct UpstreamAnswer {
    var status: HTTPResponseStatus
    var body: ByteBuffer
}

/// One client connection: collects a request, and answers it from a task on the connection's event loop that sends
/// it over the connection's upstream connection and awaits the answer.
final class ProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let upstreamAddress: SocketAddress
    var upstream: (any Channel)?
    var head: HTTPRequestHead?
    var body: ByteBuffer?
    /// The answer the current request awaits.
    var pending: EventLoopPromise<UpstreamAnswer>?

    init(upstream: SocketAddress) { self.upstreamAddress = upstream }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 256)
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            guard let head, let body else { return }
            let loop = context.eventLoop
            let handler = NIOLoopBound(self, eventLoop: loop)
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            Task(executorPreference: LoopExecutor.of(loop)) {
                let answer: UpstreamAnswer
                do {
                    answer = try await handler.value.exchange(head, body, loop: loop)
                } catch {
                    answer = UpstreamAnswer(status: .badGateway, body: ByteBuffer())
                }
                handler.value.respond(answer, context: boundContext.value)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    /// Sends the request upstream (connecting first if needed) and awaits the answer.
    func exchange(_ head: HTTPRequestHead, _ body: ByteBuffer, loop: any EventLoop) async throws -> UpstreamAnswer {
        var outbound = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri)
        outbound.headers.add(name: "host", value: "upstream")
        outbound.headers.add(name: "content-type", value: "application/json")
        outbound.headers.add(name: "content-length", value: String(body.readableBytes))
        let channel: any Channel
        if let upstream {
            channel = upstream
        } else {
            let handler = NIOLoopBound(self, eventLoop: loop)
            channel = try await ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(UpstreamHandler(client: handler.value))
                    }
                }
                .connect(to: upstreamAddress).get()
            upstream = channel
        }
        let promise = loop.makePromise(of: UpstreamAnswer.self)
        pending = promise
        let pipeline = channel.pipeline.syncOperations
        pipeline.write(NIOAny(HTTPClientRequestPart.head(outbound)), promise: nil)
        pipeline.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(body))), promise: nil)
        pipeline.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
        return try await promise.futureResult.get()
    }

    func respond(_ answer: UpstreamAnswer, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(answer.body.readableBytes))
        let head = HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(answer.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Called by the upstream connection's handler.
    func upstreamAnswered(_ answer: UpstreamAnswer) {
        let promise = pending
        pending = nil
        promise?.succeed(answer)
    }

    func upstreamClosed() {
        upstream = nil
        let promise = pending
        pending = nil
        promise?.fail(ChannelError.eof)
    }
}

/// The upstream side of one client connection: collects each response and hands it back.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let client: ProxyHandler
    var status: HTTPResponseStatus = .ok
    var body: ByteBuffer?

    init(client: ProxyHandler) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = head.status
            body = context.channel.allocator.buffer(capacity: 512)
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            client.upstreamAnswered(UpstreamAnswer(status: status, body: body ?? ByteBuffer()))
            body = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.upstreamClosed()
    }
}

/// A task executor that runs its jobs on one event loop, so a task started from a channel handler stays on the
/// channel's thread.
final class LoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }

    static let all: [ObjectIdentifier: LoopExecutor] = Dictionary(
        uniqueKeysWithValues: MultiThreadedEventLoopGroup.singleton.makeIterator().map {
            (ObjectIdentifier($0), LoopExecutor($0))
        })

    static func of(_ loop: any EventLoop) -> LoopExecutor { all[ObjectIdentifier(loop)]! }
}
