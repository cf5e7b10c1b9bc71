import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A raw HTTP/1.1 server on 127.0.0.1 for the upstream client's tests: it reads requests off the wire itself and
/// answers each with the next scripted action, byte for byte, so that keep-alive, `Connection: close`, chunked
/// bodies, silence and a close before any answer can all be staged. It counts the connections it accepted.
final class ScriptedHTTPServer: Sendable {
    enum Action: Sendable {
        /// A response with a content-length body; `close`: then close the connection.
        case respond(status: Int = 200, body: String, headers: [String] = [], close: Bool = false)
        /// A `respond` answer sent only `afterMilliseconds` after the request arrived.
        case late(afterMilliseconds: Int64, body: String)
        /// A chunked response, one chunk per string, `gapMilliseconds` apart.
        case chunked(status: Int = 200, chunks: [String], gapMilliseconds: Int64 = 0)
        /// A chunked response whose first chunk is sent at once and the rest (and the end) only on
        /// `releaseHeldChunks()`.
        case heldChunks([String])
        /// Close the connection without answering.
        case closeWithoutAnswer
        /// Reset the connection (RST, as a crashed or overloaded server does) without answering.
        case reset
        /// Write these bytes as they are.
        case raw(String)
        /// Never answer (the connection stays open).
        case silence
    }

    struct Received: Sendable {
        var head: String
        var body: String
        var connection: Int
    }

    final class State: Sendable {
        let script: Mutex<[Action]>
        let fallback: Action
        let received = Mutex<[Received]>([])
        let connections = Mutex(0)
        let held = Mutex<(channel: any Channel, parts: [String])?>(nil)
        let closedByPeer = Mutex(0)

        init(script: [Action], fallback: Action) {
            self.script = Mutex(script)
            self.fallback = fallback
        }

        func next() -> Action { script.withLock { $0.isEmpty ? fallback : $0.removeFirst() } }
    }

    let channel: any Channel
    let state: State

    var port: Int { channel.localAddress!.port! }
    var received: [Received] { state.received.withLock { $0 } }
    var connections: Int { state.connections.withLock { $0 } }
    /// Connections the client closed.
    var closedByPeer: Int { state.closedByPeer.withLock { $0 } }
    func url(_ path: String = "/v1/chat/completions") -> String { "http://127.0.0.1:\(port)\(path)" }

    private init(channel: any Channel, state: State) {
        self.channel = channel
        self.state = state
    }

    static func start(
        _ script: [Action] = [], otherwise fallback: Action = .respond(body: "{}")
    ) async throws -> ScriptedHTTPServer {
        let state = State(script: script, fallback: fallback)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let number = state.connections.withLock {
                    $0 += 1
                    return $0
                }
                return channel.pipeline.addHandler(Handler(state: state, connection: number))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedHTTPServer(channel: channel, state: state)
    }

    func stop() async { try? await channel.close() }

    /// Sends what a `heldChunks` answer held back.
    func releaseHeldChunks() {
        guard
            let held = state.held.withLock({ held in
                defer { held = nil }; return held
            })
        else { return }
        for part in held.parts { held.channel.writeAndFlush(ByteBuffer(string: part), promise: nil) }
    }

    static func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: State
        let connection: Int
        var pending = ByteBuffer()
        var closing = false

        init(state: State, connection: Int) {
            self.state = state
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending.writeBuffer(&buffer)
            while let request = takeRequest() {
                state.received.withLock { $0.append(request) }
                answer(state.next(), context: context)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !closing { state.closedByPeer.withLock { $0 += 1 } }
        }

        /// One whole request (head and content-length body) off the front of `pending`, if it arrived.
        func takeRequest() -> Received? {
            let text = String(buffer: pending)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
            let head = String(text[..<headEnd.lowerBound])
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let headBytes = text[..<headEnd.upperBound].utf8.count
            guard pending.readableBytes >= headBytes + length else { return nil }
            pending.moveReaderIndex(forwardBy: headBytes)
            let body = pending.readString(length: length) ?? ""
            pending.discardReadBytes()
            return Received(head: head, body: body, connection: connection)
        }

        func answer(_ action: Action, context: ChannelHandlerContext) {
            switch action {
            case .respond(let status, let body, let headers, let close):
                var text = "HTTP/1.1 \(status) Status\r\ncontent-type: application/json\r\n"
                text += "content-length: \(body.utf8.count)\r\n"
                for header in headers { text += header + "\r\n" }
                if close { text += "connection: close\r\n" }
                text += "\r\n" + body
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
                if close { closeConnection(context) }
            case .late(let delay, let body):
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
                    let (handler, context) = bound.value
                    handler.answer(.respond(body: body), context: context)
                }
            case .chunked(let status, let chunks, let gap):
                let head =
                    "HTTP/1.1 \(status) OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head)), promise: nil)
                let parts = chunks.map(ScriptedHTTPServer.chunk) + ["0\r\n\r\n"]
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                for (index, part) in parts.enumerated() {
                    context.eventLoop.scheduleTask(in: .milliseconds(gap * Int64(index + 1))) {
                        let context = bound.value
                        context.writeAndFlush(NIOAny(ByteBuffer(string: part)), promise: nil)
                    }
                }
            case .heldChunks(let chunks):
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                let first = head + (chunks.first.map(ScriptedHTTPServer.chunk) ?? "")
                state.held.withLock {
                    $0 = (context.channel, chunks.dropFirst().map(ScriptedHTTPServer.chunk) + ["0\r\n\r\n"])
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: first)), promise: nil)
            case .closeWithoutAnswer:
                closeConnection(context)
            case .reset:
                closing = true
                let channel = context.channel
                let options = channel as? any SocketOptionProvider
                let set =
                    options?.setSoLinger(linger(l_onoff: 1, l_linger: 0)) ?? channel.eventLoop.makeSucceededVoidFuture()
                set.whenComplete { _ in channel.close(promise: nil) }
            case .raw(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
            case .silence:
                break
            }
        }

        func closeConnection(_ context: ChannelHandlerContext) {
            closing = true
            context.close(promise: nil)
        }
    }
}
