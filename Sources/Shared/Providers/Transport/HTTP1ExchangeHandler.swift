import NIOCore
import NIOHTTP1

/// Why an `HTTP1Pool` exchange failed.
enum HTTP1PoolError: Error, Equatable {
    /// The connection closed (or could not be written) before the whole response arrived; `beforeResponse`: before
    /// any byte of it, so the upstream may never have seen the request.
    case closed(beforeResponse: Bool)
    /// The buffered call's deadline passed, or the answer was silent longer than the read timeout.
    case timeout
    /// The buffered body passed its limit.
    case tooLarge(limit: Int)
    /// The upstream's bytes are not an HTTP/1.1 response.
    case malformedResponse
}

/// One request at a time on one pooled HTTP/1.1 connection, on the connection's event loop: writes the request,
/// answers the caller with the head (and, for a buffered call, the whole body), then streams the
/// body, and hands the connection back (`onIdle`) when the response ended and both sides keep it alive.
///
/// A streamed answer may be silent for at most the read timeout, timed from the exchange's start and from each
/// read, never from connecting: a connection that waited (for its first request under load, or idle in the pool)
/// still gives each answer the whole read timeout. A buffered call is bounded by its deadline alone (a model may
/// think for minutes before the first byte of a buffered answer). An idle connection is closed after a read
/// timeout without an exchange.
final class HTTP1ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Receives the head (with the whole body for a buffered call) or the failure, once, on the connection's loop.
    typealias Answer = (Result<UpstreamResponse, any Error>) -> Void

    enum State {
        case idle
        case awaitingHead(Answer, bufferLimit: Int?)
        case bufferingBody(Answer, HTTPResponseHead, ByteBuffer, limit: Int)
        case streamingBody(AsyncThrowingStream<ByteBuffer, any Error>.Continuation)
        case closed
    }

    var state = State.idle
    /// The exchange in flight (or last), so that a late cancellation cannot end the next one.
    var exchange: UInt64 = 0
    var context: ChannelHandlerContext?
    var keepAlive = true
    var deadline: Scheduled<Void>?
    /// Called once the current exchange ended with the connection reusable.
    var onIdle: (() -> Void)?
    /// Longest silence of a streamed answer, and longest an idle connection is kept.
    let readTimeout: TimeAmount
    /// When an exchange last began or bytes last arrived.
    var lastActivity = NIODeadline.distantPast
    /// Checks for silence, from the first exchange on; one per connection, rescheduled as activity moves it.
    var silenceCheck: Scheduled<Void>?

    init(readTimeout: TimeAmount) { self.readTimeout = readTimeout }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Starts an exchange. `bufferLimit`: collect the body (up to that many bytes) before answering; nil: answer
    /// with the head and stream the body.
    func begin(
        _ exchange: UInt64, head: HTTPRequestHead, body: ByteBuffer, answer: @escaping Answer, bufferLimit: Int?,
        deadline: TimeAmount?, onIdle: @escaping () -> Void
    ) {
        guard case .idle = state, let context, context.channel.isActive else {
            answer(.failure(HTTP1PoolError.closed(beforeResponse: true)))
            return
        }
        self.exchange = exchange
        state = .awaitingHead(answer, bufferLimit: bufferLimit)
        keepAlive = head.isKeepAlive
        self.onIdle = onIdle
        lastActivity = .now()
        if silenceCheck == nil { checkSilence(on: context.eventLoop, at: lastActivity + readTimeout) }
        if let deadline {
            self.deadline = context.eventLoop.scheduleTask(in: deadline) { [self] in
                fail(HTTP1PoolError.timeout)
            }
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.whenFailure { [self] _ in fail(HTTP1PoolError.closed(beforeResponse: awaitingHead)) }
    }

    /// Nothing of the response has arrived yet.
    var awaitingHead: Bool {
        if case .awaitingHead = state { return true }
        return false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status.code >= 200 || head.status == .switchingProtocols else { return }  // 100-continue
            keepAlive = keepAlive && head.isKeepAlive
            switch state {
            case .awaitingHead(let answer, let limit?):
                state = .bufferingBody(answer, head, context.channel.allocator.buffer(capacity: 0), limit: limit)
            case .awaitingHead(let answer, nil):
                let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                let exchange = self.exchange
                continuation.onTermination = { termination in
                    // The reader stopped early (a cancelled request, a client that went away): the rest of the
                    // response is not wanted, and the upstream should stop producing it.
                    if case .cancelled = termination {
                        handler.eventLoop.execute { handler.value.cancel(exchange) }
                    }
                }
                state = .streamingBody(continuation)
                answer(
                    .success(
                        UpstreamResponse(
                            status: head.status, headers: head.headers, body: UpstreamBody(.stream(stream)))))
            default:
                fail(HTTP1PoolError.closed(beforeResponse: false))  // a response nobody asked for
            }
        case .body(var buffer):
            switch state {
            case .bufferingBody(let answer, let head, var collected, let limit):
                guard collected.readableBytes + buffer.readableBytes <= limit else {
                    fail(HTTP1PoolError.tooLarge(limit: limit))
                    return
                }
                state = .idle  // lets `collected` be appended to without a copy
                collected.writeBuffer(&buffer)
                state = .bufferingBody(answer, head, collected, limit: limit)
            case .streamingBody(let continuation):
                continuation.yield(buffer)
            default:
                break
            }
        case .end:
            let finished = state
            switch finished {
            case .bufferingBody, .streamingBody: state = .idle
            default: return
            }
            deadline?.cancel()
            deadline = nil
            // Back to the pool first, so that the caller's next request finds the connection idle.
            let onIdle = self.onIdle
            self.onIdle = nil
            if keepAlive, context.channel.isActive, let onIdle {
                onIdle()
            } else {
                state = .closed
                context.close(promise: nil)
            }
            switch finished {
            case .bufferingBody(let answer, let head, let collected, _):
                answer(
                    .success(
                        UpstreamResponse(
                            status: head.status, headers: head.headers, body: UpstreamBody(.whole(collected)))))
            case .streamingBody(let continuation):
                continuation.finish()
            default:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lastActivity = .now()
        context.fireChannelReadComplete()
    }

    /// At `due`, ends the streamed exchange in flight (`.timeout`) or the idle connection if nothing happened for
    /// a read timeout; else checks again a read timeout after the last activity.
    func checkSilence(on loop: any EventLoop, at due: NIODeadline) {
        silenceCheck = loop.scheduleTask(deadline: due) { [self] in
            silenceCheck = nil
            let next: NIODeadline
            switch state {
            case .closed: return
            // A buffered call with a deadline of its own (scheduled while it is in flight): that alone bounds it.
            case .awaitingHead where deadline != nil, .bufferingBody where deadline != nil: next = .now() + readTimeout
            case .idle, .awaitingHead, .bufferingBody, .streamingBody: next = lastActivity + readTimeout
            }
            if next > .now() {
                checkSilence(on: loop, at: next)
            } else {
                fail(HTTP1PoolError.timeout)
            }
        }
    }

    /// Ends exchange `exchange` with `CancellationError` and closes the connection, if it is still in flight
    /// (a cancellation that arrives after it ended, with the connection back in the pool, changes nothing).
    func cancel(_ exchange: UInt64) {
        guard exchange == self.exchange else { return }
        switch state {
        case .awaitingHead, .bufferingBody, .streamingBody: fail(CancellationError())
        case .idle, .closed: break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset is a closed connection (retried like one when nothing of the answer came).
        fail(
            error is HTTPParserError
                ? HTTP1PoolError.malformedResponse : HTTP1PoolError.closed(beforeResponse: awaitingHead))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTP1PoolError.closed(beforeResponse: awaitingHead))
        context.fireChannelInactive()
    }

    /// Ends the exchange in flight with `error` (if any) and closes the connection for good.
    func fail(_ error: any Error) {
        let failed = state
        state = .closed
        onIdle = nil
        deadline?.cancel()
        deadline = nil
        silenceCheck?.cancel()
        silenceCheck = nil
        switch failed {
        case .awaitingHead(let answer, _), .bufferingBody(let answer, _, _, _):
            answer(.failure(error))
        case .streamingBody(let continuation):
            continuation.finish(throwing: error)
        case .idle, .closed:
            break
        }
        if case .closed = failed { return }
        context?.close(promise: nil)
    }
}
