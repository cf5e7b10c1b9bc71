import Hummingbird
import NIOCore
import Synchronization

/// The client's request body as the proxy's upload reads it, closed once the service's answer has been relayed.
///
/// Hummingbird reads what is left of a request body itself after the response, to reach the connection's next
/// request; two readers of a request body at once are a crash in NIO. A service may answer before it read the whole
/// body (a 401 or 413 decided on the headers) while the upload still waits for the client's next bytes, so
/// `close()` stops the upload's reads and returns only once none is in flight.
final class ProxiedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    struct State {
        var closed = false
        var reading = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The upload began reading: the service has the request's head.
        var started = false
        /// The whole body was read (the upload reached its end).
        var complete = false
        var onComplete: (@Sendable () -> Void)?
    }

    let body: RequestBody
    let state = Mutex(State())

    init(_ body: RequestBody) { self.body = body }

    struct AsyncIterator: AsyncIteratorProtocol {
        let owner: ProxiedRequestBody
        var base: RequestBody.AsyncIterator?

        mutating func next() async throws -> ByteBuffer? {
            guard owner.beginRead() else { return nil }
            defer { owner.endRead() }
            if base == nil { base = owner.body.makeAsyncIterator() }
            let chunk = try await base?.next()
            if chunk == nil { owner.completed() }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(owner: self, base: nil) }

    /// Calls `callback` once the whole body was read (at once if it was).
    func whenComplete(_ callback: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.complete { return true }
            state.onComplete = callback
            return false
        }
        if now { callback() }
    }

    func completed() {
        let callback = state.withLock { state -> (@Sendable () -> Void)? in
            state.complete = true
            defer { state.onComplete = nil }
            return state.onComplete
        }
        callback?()
    }

    /// Whether the upload began reading: AsyncHTTPClient asks for the body once the request's head was sent.
    var hasStarted: Bool { state.withLock { $0.started } }

    /// Whether a read may start (not closed); marks it in flight.
    func beginRead() -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.started = true
            state.reading = true
            return true
        }
    }

    func endRead() {
        let waiter = state.withLock { state in
            state.reading = false
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No read starts from now on; returns once the one in flight (if any) ended.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                state.closed = true
                guard state.reading else { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
