import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive HTTP/1.1 connections to plain-HTTP upstreams (a vLLM, Ollama or LiteLLM server on the network, the
/// built-in fakes), for the JSON calls that are nearly every request a gateway proxies.
///
/// It exists for speed: AsyncHTTPClient's general machinery (redirects, request validation, tracing, a pool state
/// machine, a body stream with back-pressure for every response) costs more CPU than the rest of a proxied
/// request. Here a buffered call is one write and one continuation resumed with the whole response from the event
/// loop; a streamed call gets the head, then the body buffers as they arrive. Connections are reused last-in
/// first-out, at most `maxIdlePerOrigin` are kept idle per origin, and an idle one is closed after `readTimeout`
/// without a request. A request that finds its reused connection closed before any byte of the answer (the upstream's
/// keep-alive ended meanwhile) is sent once more on a new connection.
///
/// Streamed bodies are buffered as they arrive, without back-pressure towards the upstream: a model's answer is
/// small, and a reader that stops (a client that went away) closes the connection, which stops the upstream.
final class HTTP1Pool: Sendable {
    struct Settings: Sendable {
        var connectTimeout: TimeAmount
        /// Longest silence of a streamed answer (from sending the request, then between reads), and longest a
        /// connection is kept idle. A buffered call is bounded by its deadline alone.
        var readTimeout: TimeAmount
        var maxIdlePerOrigin: Int
    }

    let group: any EventLoopGroup
    let settings: Settings
    let idle = Mutex<(connections: [PlainHTTPURL.Origin: [Connection]], open: Bool)>(([:], true))
    let exchanges = Atomic<UInt64>(0)
    /// To tell whether the caller runs on one of the group's loops.
    let loops: GroupLoops

    init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, settings: Settings) {
        self.group = group
        self.settings = settings
        self.loops = GroupLoops(group)
    }

    /// One pooled connection and its exchange handler.
    final class Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<HTTP1ExchangeHandler>

        init(channel: any Channel, handler: NIOLoopBound<HTTP1ExchangeHandler>) {
            self.channel = channel
            self.handler = handler
        }
    }

    /// Sends one request. `bufferLimit`: answer with the whole body (at most that many bytes) within `deadline`;
    /// nil: answer with the head and stream the body.
    func send(
        _ url: PlainHTTPURL, method: HTTPMethod, headers: HTTPHeaders, body: ByteBuffer, bufferLimit: Int?,
        deadline: TimeAmount?
    ) async throws -> UpstreamResponse {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.target, headers: headers)
        head.headers.replaceOrAdd(name: "host", value: url.hostHeader)
        if method == .POST || body.readableBytes > 0 {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        }
        if let connection = takeIdle(url.origin) {
            do {
                return try await exchange(on: connection, url.origin, head, body, bufferLimit, deadline)
            } catch HTTP1PoolError.closed(beforeResponse: true) where !Task.isCancelled {
                // The upstream closed the kept-alive connection as we sent: try once on a fresh one.
            }
        }
        let connection = try await connect(url.origin)
        return try await exchange(on: connection, url.origin, head, body, bufferLimit, deadline)
    }

    func exchange(
        on connection: Connection, _ origin: PlainHTTPURL.Origin, _ head: HTTPRequestHead, _ body: ByteBuffer,
        _ bufferLimit: Int?, _ deadline: TimeAmount?
    ) async throws -> UpstreamResponse {
        let exchange = exchanges.wrappingAdd(1, ordering: .relaxed).newValue
        let handler = connection.handler
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { answer in
                    handler.eventLoop.execute {
                        handler.value.begin(
                            exchange, head: head, body: body, answer: answer, bufferLimit: bufferLimit,
                            deadline: deadline
                        ) { [self] in
                            release(connection, origin)
                        }
                    }
                }
            } onCancel: {
                handler.eventLoop.execute { handler.value.cancel(exchange) }
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw error
        }
    }

    func takeIdle(_ origin: PlainHTTPURL.Origin) -> Connection? {
        // The most recently used connection on the caller's event loop, else the most recently used one: a request
        // whose work runs on a loop (`server.loop_requests`) then never leaves it.
        let loop = loops.current
        while let connection = idle.withLock({ idle -> Connection? in
            guard let last = idle.connections[origin]?.indices.last else { return nil }
            let index = loop.flatMap { loop in idle.connections[origin]!.lastIndex { $0.channel.eventLoop === loop } }
            return idle.connections[origin]!.remove(at: index ?? last)
        }) {
            if connection.channel.isActive { return connection }
        }
        return nil
    }

    func release(_ connection: Connection, _ origin: PlainHTTPURL.Origin) {
        let kept = idle.withLock { idle -> Bool in
            guard idle.open, idle.connections[origin, default: []].count < settings.maxIdlePerOrigin else {
                return false
            }
            idle.connections[origin, default: []].append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    func connect(_ origin: PlainHTTPURL.Origin) async throws -> Connection {
        let readTimeout = settings.readTimeout
        // On the caller's event loop when it runs on one (see `takeIdle`).
        return try await ClientBootstrap(group: loops.current ?? group.next())
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: origin.host, port: origin.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = HTTP1ExchangeHandler(readTimeout: readTimeout)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
    }

    /// Closes the idle connections and keeps none from now on (requests in flight finish, then close).
    func shutdown() async {
        let connections = idle.withLock { idle in
            idle.open = false
            defer { idle.connections = [:] }
            return idle.connections.values.flatMap { $0 }
        }
        for connection in connections { try? await connection.channel.close() }
    }
}
