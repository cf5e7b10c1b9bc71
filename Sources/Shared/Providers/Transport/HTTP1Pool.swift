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
        let head = Self.head(url, method: method, headers: headers, body: body)
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

    /// The request head as sent: the caller's headers with `host` and, for a POST or a body, `content-length`.
    static func head(_ url: PlainHTTPURL, method: HTTPMethod, headers: HTTPHeaders, body: ByteBuffer) -> HTTPRequestHead
    {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.target, headers: headers)
        head.headers.replaceOrAdd(name: "host", value: url.hostHeader)
        if method == .POST || body.readableBytes > 0 {
            head.headers.replaceOrAdd(name: "content-length", value: String(body.readableBytes))
        }
        return head
    }

    /// For a caller running on `loop` (the event-loop fast path): sends a buffered POST on an idle connection of
    /// that loop, or on a new one connected on it, and calls `answer` on the loop with the whole response or the
    /// failure. A kept-alive connection the upstream closed as the request was sent fails with
    /// `closed(beforeResponse: true)`; unlike `send`, nothing is retried here.
    func sendNow(
        on loop: any EventLoop, _ url: PlainHTTPURL, headers: HTTPHeaders, body: ByteBuffer, bufferLimit: Int,
        deadline: TimeAmount, answer: @escaping (Result<UpstreamResponse, any Error>) -> Void
    ) {
        loop.preconditionInEventLoop()
        let head = Self.head(url, method: .POST, headers: headers, body: body)
        let origin = url.origin
        func begin(_ connection: Connection) {
            let exchange = exchanges.wrappingAdd(1, ordering: .relaxed).newValue
            connection.handler.value.begin(
                exchange, head: head, body: body, answer: answer, bufferLimit: bufferLimit, deadline: deadline
            ) { [self] in
                release(connection, origin)
            }
        }
        if let connection = takeIdle(origin, on: loop) {
            begin(connection)
            return
        }
        connect(origin, on: loop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let connection): begin(connection)
            case .failure(let error): answer(.failure(error))
            }
        }
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
                            exchange, head: head, body: body, answer: { answer.resume(with: $0) },
                            bufferLimit: bufferLimit,
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

    /// The most recently used connection on the caller's event loop, else the most recently used one: a request
    /// whose work runs on a loop (`server.loop_requests`) then never leaves it.
    func takeIdle(_ origin: PlainHTTPURL.Origin) -> Connection? { takeIdle(origin, preferring: loops.current) }

    /// The most recently used connection on `loop`, nil when none is idle.
    func takeIdle(_ origin: PlainHTTPURL.Origin, on loop: any EventLoop) -> Connection? {
        takeIdle(origin, preferring: loop, only: true)
    }

    func takeIdle(_ origin: PlainHTTPURL.Origin, preferring loop: (any EventLoop)?, only: Bool = false) -> Connection? {
        while let connection = idle.withLock({ idle -> Connection? in
            guard let last = idle.connections[origin]?.indices.last else { return nil }
            let index = loop.flatMap { loop in idle.connections[origin]!.lastIndex { $0.channel.eventLoop === loop } }
            if only && index == nil { return nil }
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
        // On the caller's event loop when it runs on one (see `takeIdle`).
        try await connect(origin, on: loops.current ?? group.next()).get()
    }

    /// A new connection to `origin` on `loop`.
    func connect(_ origin: PlainHTTPURL.Origin, on loop: any EventLoop) -> EventLoopFuture<Connection> {
        let readTimeout = settings.readTimeout
        return ClientBootstrap(group: loop)
            .connectTimeout(settings.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTP1ExchangeHandler(readTimeout: readTimeout))
                }
            }
            .connect(host: origin.host, port: origin.port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: HTTP1ExchangeHandler.self)
                return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
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
