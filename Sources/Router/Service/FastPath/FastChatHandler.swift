import GatewayCore
import GatewayEdge
import GatewayProviders
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The event-loop fast path for the request nearly every client sends: a buffered `POST /v1/chat/completions` (or
/// `/v1/completions`) with a cached, valid key, within its quotas, for an alias whose first target is a plain-HTTP
/// OpenAI-family server with a closed circuit. Such a request is answered here, on the connection's event loop,
/// with the same steps and the same code as the regular path (`EdgeMiddleware`, `RouterService.complete`,
/// `Dispatcher`), but without a task, a suspension or a thread hop: at one connection about a fifth less latency and
/// CPU per request (docs/DESIGN.md).
///
/// Everything else goes to the server unchanged: the head is inspected, and a candidate's body gathered, but the
/// fast path commits to a request only when nothing is left that could turn it down, just before its quotas are
/// counted. From then on it is the fast path's: answered here when the first attempt succeeds, or else handed to
/// the server with an `EdgeHandoff` (identity, quota decision, audit event, dispatch plan with the failed attempt)
/// that the regular path continues — retries, fallbacks and errors happen there, exactly as for any request.
///
/// Responses leave in request order: a request goes to the server only when the fast path has none in flight, and
/// the fast path takes one only when the server has none outstanding; while the fast path answers, parts read wait
/// (and reading stops once one does). A quiescing server's close waits for the fast path's answer. Only while few
/// requests are in flight (`LoopWorkGate`, `server.loop_requests`): under load the server's path, whose work Swift's
/// pool spreads over every core, makes more requests per second than one busy loop.
final class FastChatHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum State {
        /// Between requests.
        case idle
        /// The request in progress is the server's: its parts go on.
        case passing
        /// A candidate's body is being gathered; its audit event (and so its latency) starts with its head, as on
        /// the server's path.
        case gathering(HTTPRequest, ByteBuffer, ProviderEndpoint, AuditRecorder)
        /// The fast path answers the request in progress.
        case answering
    }

    let path: FastChatPath
    var state = State.idle
    /// Requests passed to the server whose response has not ended.
    var serverRequests = 0
    /// Parts read while the fast path answered.
    var waiting: [HTTPRequestPart] = []
    var readHeld = false
    /// The request in progress is counted in flight by the gate.
    var counted = false
    var quiesceHeld: ChannelShouldQuiesceEvent?
    /// The client stopped sending (closed its connection or its side of it): an answer now reaches no one.
    var clientStopped = false
    /// `Expect: 100-continue` on this connection, answered here since this handler reads every part anyway.
    var expectation = ContinueExpectation()

    init(_ path: FastChatPath) { self.path = path }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part {
            if expectation.requestHead(&head) {
                context.writeAndFlush(wrapOutboundOut(.head(ContinueExpectation.response)), promise: nil)
            }
            part = .head(head)
        }
        if case .answering = state {
            waiting.append(part)
        } else {
            handle(part, context: context)
            releaseQuiesce(context: context)
        }
    }

    func handle(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if serverRequests == 0, path.gate.admitsMore, let endpoint = candidate(head) {
                let length = head.headerFields[.contentLength].flatMap { Int($0) } ?? 0
                let audit = AuditRecorder(requestID: RandomID.requestID())
                state = .gathering(head, context.channel.allocator.buffer(capacity: length), endpoint, audit)
            } else {
                pass(.head(head), context: context)
            }
        case (.gathering(let head, var body, let endpoint, let audit), .body(var chunk)):
            guard body.readableBytes + chunk.readableBytes <= path.router.limits.maxBytes else {
                // The server answers 413.
                pass(.head(head), context: context)
                pass(.body(body), context: context)
                pass(.body(chunk), context: context)
                return
            }
            state = .idle  // lets `body` grow without a copy
            body.writeBuffer(&chunk)
            state = .gathering(head, body, endpoint, audit)
        case (.gathering(let head, let body, let endpoint, let audit), .end(let trailers)):
            state = .idle
            if trailers != nil || !answer(head, body: body, endpoint: endpoint, audit: audit, context: context) {
                pass(.head(head), context: context)
                if body.readableBytes > 0 { pass(.body(body), context: context) }
                pass(.end(trailers), context: context)
            }
        case (.gathering(let head, let body, _, _), .head):
            // Not HTTP: the decoder does not allow it. Whatever it is, the server judges it.
            pass(.head(head), context: context)
            pass(.body(body), context: context)
            pass(part, context: context)
        case (.idle, _), (.passing, _):
            pass(part, context: context)
        case (.answering, _):
            waiting.append(part)
        }
    }

    /// Counts the request in flight (`LoopWorkGate`); false, with nothing counted, when the loop is busy: under load
    /// the server spreads requests' work over Swift's pool, which makes more of them per second than one loop. A
    /// head is only checked against the gate (`admitsMore`); a request is counted once the fast path would take it,
    /// so that one the server serves is not counted (and seen as load) before the server counts it.
    func enter() -> Bool {
        if path.gate.enter() {
            counted = true
            return true
        }
        path.gate.leave()
        return false
    }

    /// Ends the count of the request in progress, if it is counted.
    func leave() {
        if counted {
            counted = false
            path.gate.leave()
        }
    }

    /// Hands a part to the server.
    func pass(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head:
            leave()  // the server counts its own
            serverRequests += 1
            state = .passing
        case .end:
            state = .idle
        case .body:
            break
        }
        context.fireChannelRead(wrapInboundOut(part))
    }

    /// The endpoint of a head the fast path may take: a POST to exactly `/v1/chat/completions` or `/v1/completions`,
    /// a body within the limit, no `expect` (`100-continue` was answered and removed on reading), no
    /// `connection: close`.
    func candidate(_ head: HTTPRequest) -> ProviderEndpoint? {
        guard head.method == .post, !head.headerFields.contains(.expect),
            head.headerFields[.connection]?.lowercased() != "close",
            head.headerFields[.contentLength].flatMap({ Int($0) }).map({ $0 <= path.router.limits.maxBytes }) ?? true
        else { return nil }
        switch head.path {
        case "/v1/chat/completions": return .chat
        case "/v1/completions": return .completions
        default: return nil
        }
    }

    /// Takes the request if nothing can turn it down any more, and sends its first attempt; false (nothing
    /// changed) to leave it to the server.
    func answer(
        _ head: HTTPRequest, body: ByteBuffer, endpoint: ProviderEndpoint, audit: AuditRecorder,
        context: ChannelHandlerContext
    ) -> Bool {
        guard !body.withUnsafeReadableBytes(StreamHint.asksForStream),
            let key = path.edge.admittedNow(authorization: head.headerFields[.authorization])
        else { return false }
        let requestID = audit.requestID
        guard
            let chat = path.router.immediateChat(
                endpoint, body: Array(buffer: body), identity: key.identity, requestID: requestID),
            enter()
        else { return false }
        guard case .some(let decision) = path.edge.consumedNow(key) else {
            leave()
            return false
        }
        // Committed: the request is counted, and from here on this handler's (or its handoff's).
        let identity = key.identity
        audit.update {
            $0.method = "POST"
            $0.path = head.path ?? ""
            $0.tenant = identity.tenant
            $0.keyID = identity.keyID
            $0.keyLabel = identity.keyLabel
            $0.alias = chat.alias
            $0.stream = false
        }
        let admitted = Admitted(
            head: head, body: body, requestID: requestID, identity: identity, decision: decision, audit: audit)
        state = .answering
        let stopwatch = Stopwatch()
        let sent = path.http.postJSONNow(
            on: context.eventLoop, url: chat.url, headers: chat.headers, body: ByteBuffer(bytes: chat.body)
        ) { [self] result in
            answered(result, chat, admitted, stopwatch, context: context)
        }
        // Not a pooled upstream after all (`immediateChat` checked): the regular path sends it.
        if !sent { handOff(admitted, plan: chat.plan, context: context) }
        return true
    }

    /// What the fast path knows of a request it took.
    struct Admitted {
        var head: HTTPRequest
        var body: ByteBuffer
        var requestID: String
        var identity: Identity
        var decision: QuotaDecision?
        var audit: AuditRecorder
    }

    func answered(
        _ result: Result<UpstreamResponse, any Error>, _ chat: ImmediateChat, _ admitted: Admitted,
        _ stopwatch: Stopwatch, context: ChannelHandlerContext
    ) {
        let dispatcher = path.router.dispatcher
        var plan = chat.plan
        do {
            let result = try chat.provider.immediateResult(of: result.get(), chat.call)
            dispatcher.succeeded(chat.candidate, chat.endpoint, admitted.audit, stopwatch)
            let bytes = RouterService.answer(result, endpoint: chat.endpoint, alias: chat.alias, audit: admitted.audit)
            respond(bytes, admitted, context: context)
            path.edge.emit(admitted.audit, status: 200, clientLeft: clientStopped || !context.channel.isActive)
            path.count(answered: true)
            finished(context: context)
            return
        } catch {
            // A kept-alive connection the upstream had closed: not an attempt, the server makes the first.
            if !UpstreamHTTP.neverSent(error) {
                dispatcher.firstAttemptFailed(&plan, chat.endpoint, admitted.audit, stopwatch, error: error)
            }
        }

        handOff(admitted, plan: plan, context: context)
    }

    /// Writes the answer as the server would: `RouterService.json`'s headers, the edge's, then `date`.
    func respond(_ bytes: [UInt8], _ admitted: Admitted, context: ChannelHandlerContext) {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(bytes.count)
        path.edge.addHeaders(
            to: &fields, requestID: admitted.requestID, decision: admitted.decision,
            request: admitted.head.headerFields)
        fields[.date] = path.date.now
        expectation.responseHead()
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: bytes))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        if expectation.responseEnded() {
            context.write(wrapOutboundOut(.head(ContinueExpectation.response)), promise: nil)
        }
        context.flush()
    }

    /// Gives a request the fast path took to the server, which continues `plan` for it.
    func handOff(_ admitted: Admitted, plan: DispatchPlan, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            // The server no longer reads this connection: the client went away before its answer.
            path.edge.emit(admitted.audit, status: 200, clientLeft: true)
            finished(context: context)
            return
        }
        path.count(answered: false)
        let id = path.handoffs.store(
            EdgeHandoff(
                requestID: admitted.requestID, audit: admitted.audit, identity: admitted.identity,
                decision: admitted.decision, dispatch: plan))
        var head = admitted.head
        head.headerFields[EdgeHandoffs.header] = id
        state = .idle
        pass(.head(head), context: context)
        if admitted.body.readableBytes > 0 { pass(.body(admitted.body), context: context) }
        pass(.end(nil), context: context)
        finished(context: context)
        // Outside a read: the server's channel hands what it was given to its reader at the end of a read.
        context.fireChannelReadComplete()
    }

    /// The fast path's request is done: what waited is handled, held reads and quiescing go on.
    func finished(context: ChannelHandlerContext) {
        if case .answering = state { state = .idle }
        leave()
        let hadWaiting = !waiting.isEmpty
        while !waiting.isEmpty {
            if case .answering = state { break }
            handle(waiting.removeFirst(), context: context)
        }
        if hadWaiting { context.fireChannelReadComplete() }
        if case .answering = state { return }
        releaseQuiesce(context: context)
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientStopped = true
        giveUp(context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        giveUp(context: context)
        context.fireErrorCaught(error)
    }

    /// The client stopped sending (it closed, or what it sent is not HTTP): what it sent goes to the server, which
    /// answers (and audits) it as always — a body cut short, requests pipelined behind the one the fast path
    /// answers — before the server learns why no more comes.
    func giveUp(context: ChannelHandlerContext) {
        switch state {
        case .gathering(let head, let body, _, _):
            pass(.head(head), context: context)
            if body.readableBytes > 0 { pass(.body(body), context: context) }
        case .answering where !waiting.isEmpty:
            for part in waiting { context.fireChannelRead(wrapInboundOut(part)) }
            waiting = []
        case .idle, .passing, .answering:
            return
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // Reading stops only for a client that sends more while it waits for an answer (pipelining), so that what
        // it sends meanwhile is bounded by one read.
        if case .answering = state, !waiting.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            expectation.responseHead()
            context.write(data, promise: promise)
        case .end:
            serverRequests = max(0, serverRequests - 1)
            context.write(data, promise: promise)
            if expectation.responseEnded() {
                context.write(wrapOutboundOut(.head(ContinueExpectation.response)), promise: nil)
            }
        case .body:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server closes an idle connection when told to quiesce: not while the fast path has a request.
        if let event = event as? ChannelShouldQuiesceEvent, ownsRequest {
            quiesceHeld = event
            return
        }
        if case ChannelEvent.inputClosed? = event as? ChannelEvent {
            clientStopped = true
            giveUp(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Whether the request in progress is (or may become) the fast path's.
    var ownsRequest: Bool {
        switch state {
        case .answering, .gathering: true
        case .idle, .passing: false
        }
    }

    /// Passes on a quiesce event held while the fast path had a request.
    func releaseQuiesce(context: ChannelHandlerContext) {
        guard let event = quiesceHeld, !ownsRequest else { return }
        quiesceHeld = nil
        context.fireUserInboundEventTriggered(event)
    }
}
