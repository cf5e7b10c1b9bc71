import NIOCore
import NIOHTTP1
import Synchronization

/// Whether the client of a connection has stopped sending: it closed the connection, or shut down its side of it.
/// An HTTP client that does either before its answer has left (half-closing and then waiting is allowed by HTTP but
/// not done by clients in practice), so a response written after that is audited as a client that left
/// (`EdgeMiddleware.emit`), not as the 200 no one received. Kept by a channel handler on each connection
/// (`ClientPresence.handler()`, which the HTTP server adds); a request finds its connection's by its channel.
public final class ClientPresence: Sendable {
    struct Watchers {
        var nextToken = 0
        var callbacks: [Int: @Sendable () -> Void] = [:]
    }

    let stopped = Atomic<Bool>(false)
    let watchers = Mutex(Watchers())

    /// Whether the client has stopped sending.
    public var hasLeft: Bool { stopped.load(ordering: .relaxed) }

    /// Calls `callback` once when the client stops sending (on the connection's event loop); nil, without calling
    /// it, if it already has. Pass the token to `unwatch` once the answer no longer depends on it.
    public func watch(_ callback: @escaping @Sendable () -> Void) -> Int? {
        watchers.withLock { watchers -> Int? in
            // Checked under the lock `markLeft` takes: a departure is either seen here or calls the callback.
            guard !hasLeft else { return nil }
            watchers.nextToken += 1
            watchers.callbacks[watchers.nextToken] = callback
            return watchers.nextToken
        }
    }

    public func unwatch(_ token: Int) {
        _ = watchers.withLock { $0.callbacks.removeValue(forKey: token) }
    }

    /// The client stopped sending: notes it (once) and calls the watchers.
    func markLeft() {
        let callbacks = watchers.withLock { watchers -> [@Sendable () -> Void] in
            guard !stopped.exchange(true, ordering: .relaxed) else { return [] }
            defer { watchers.callbacks = [:] }
            return Array(watchers.callbacks.values)
        }
        for callback in callbacks { callback() }
    }

    /// The presence of the client of `channel`, if the channel has a presence handler.
    public static func of(_ channel: any Channel) -> ClientPresence? {
        live.withLock { $0[ObjectIdentifier(channel)] }
    }

    /// A new handler for one connection, to be placed after the HTTP codec.
    public static func handler() -> any RemovableChannelHandler { ClientPresenceHandler() }

    /// The presence of every open connection that has a handler.
    static let live = Mutex<[ObjectIdentifier: ClientPresence]>([:])
}

/// Keeps one connection's `ClientPresence`, registered while the handler is in the pipeline.
final class ClientPresenceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    let presence = ClientPresence()

    func handlerAdded(context: ChannelHandlerContext) {
        let presence = presence
        ClientPresence.live.withLock { $0[ObjectIdentifier(context.channel)] = presence }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ClientPresence.live.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(context.channel)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        presence.markLeft()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The decoder's end-of-input with a request incomplete: the client closed mid-request. It comes before
        // `channelInactive`, and a request's handler may see it (as its body failing) before that arrives here.
        if let error = error as? HTTPParserError, error == .invalidEOFState { presence.markLeft() }
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed? = event as? ChannelEvent { presence.markLeft() }
        context.fireUserInboundEventTriggered(event)
    }
}
