import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import Metrics

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The edge: request id, CORS, API key authentication (status, expiry), quotas, the error envelope, and one
/// audit event per `/v1` request, emitted after the client has its last byte (or went away).
///
/// Behind the edge (self-hosted mode) the same middleware runs in each internal service in `internal` mode: the
/// identity comes from the edge's signed headers instead of an API key, quotas and CORS were the edge's business,
/// and the audit event (with the edge's request id) is the service's, since it knows the usage.
public struct EdgeMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    /// How a request proves who it is for.
    enum Admission: Sendable {
        case apiKeys(KeyCache, quotas: any QuotaStore, policy: QuotaPolicy)
        case signedIdentity(IdentitySigner)
        /// AWS mode: API Gateway's authorizer checked the key; quotas are still this function's to enforce, since
        /// authorizer results are cached across requests.
        case authorizer(quotas: any QuotaStore, policy: QuotaPolicy)
    }

    let admission: Admission
    let cors: GatewayConfig.CORS?
    let sink: any AuditSink
    let clock: any WallClock
    let metrics: EdgeMetrics
    /// Requests the event-loop fast path admitted and then handed on (`EdgeHandoffs`); nil: no fast path.
    let handoffs: EdgeHandoffs?

    /// The public edge: API keys, quotas, CORS. `handoffs`: where the event-loop fast path leaves the requests it
    /// admitted but could not finish.
    public init(
        keys: KeyCache, quotas: any QuotaStore, policy: QuotaPolicy, cors: GatewayConfig.CORS?, sink: any AuditSink,
        clock: any WallClock = SystemWallClock(), handoffs: EdgeHandoffs? = nil
    ) {
        self.admission = .apiKeys(keys, quotas: quotas, policy: policy)
        self.cors = cors
        self.sink = sink
        self.clock = clock
        self.metrics = EdgeMetrics()
        self.handoffs = handoffs
    }

    /// An internal service: only requests the edge signed for (`IdentitySigner`) are admitted.
    public init(internal signer: IdentitySigner, sink: any AuditSink, clock: any WallClock = SystemWallClock()) {
        self.admission = .signedIdentity(signer)
        self.cors = nil
        self.sink = sink
        self.clock = clock
        self.metrics = EdgeMetrics()
        self.handoffs = nil
    }

    /// A request function behind API Gateway (AWS mode): the key was checked by the authorizer, whose result the
    /// Lambda host puts in `context.authorizedKey`; quotas and CORS are enforced here.
    public init(
        authorizer quotas: any QuotaStore, policy: QuotaPolicy, cors: GatewayConfig.CORS?, sink: any AuditSink,
        clock: any WallClock = SystemWallClock()
    ) {
        self.admission = .authorizer(quotas: quotas, policy: policy)
        self.cors = cors
        self.sink = sink
        self.clock = clock
        self.metrics = EdgeMetrics()
        self.handoffs = nil
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        guard path.hasPrefix("/v1/") || path == "/v1" else {
            var response: Response
            do {
                response = try await next(request, context)
            } catch {
                response = GatewayError.from(error, path: path, method: method).response
            }
            response.headers[HTTPField.Name("x-request-id")!] = context.requestID
            return response
        }
        if request.method == .options, let cors {
            var response = Response(status: .noContent)
            CORSHeaders.apply(cors, request: request.headers, preflight: true, to: &response.headers)
            return response
        }
        var context = context
        var rejection: GatewayError?
        let handoff = handoffs?.take(request.headers[EdgeHandoffs.header])
        if let handoff { context.adopt(handoff) }
        if case .signedIdentity(let signer) = admission {
            do {
                context.adopt(
                    try signer.verify(
                        identity: request.headers[Self.identityHeader],
                        signature: request.headers[Self.signatureHeader],
                        method: method, path: path, now: clock.now()))
            } catch {
                rejection = error
            }
        }
        let audit = context.audit
        audit.update {
            $0.method = method
            $0.path = path
        }
        var decision: QuotaDecision?
        var response: Response
        var clientLeft = false
        do {
            if let rejection { throw rejection }
            let identity: Identity
            var key: AuthorizedKey?
            switch admission {
            case .apiKeys(let keys, _, _):
                if let handoff {
                    // Authenticated, and counted against its quotas, by the fast path.
                    identity = handoff.identity
                    decision = handoff.decision
                } else {
                    let found = try await authenticate(request, keys: keys)
                    identity = Identity(found)
                    key = AuthorizedKey(found)
                }
            case .signedIdentity:
                guard let adopted = context.identity else { throw IdentitySigner.rejected() }
                identity = adopted
            case .authorizer:
                // Only reachable through API Gateway, whose authorizer always runs first: no key here is a
                // deployment error (a route without the authorizer), refused like a missing key.
                guard let authorized = context.authorizedKey else { throw GatewayError.missingAPIKey() }
                if authorized.isExpired(at: clock.now().unixSeconds) {
                    throw GatewayError.invalidAPIKey("This API key has expired.")
                }
                identity = authorized.identity
                key = authorized
            }
            context.identity = identity
            // Known from here on, so a rejection by quota is audited for the key's tenant too.
            audit.update {
                $0.tenant = identity.tenant
                $0.keyID = identity.keyID
                $0.keyLabel = identity.keyLabel
            }
            if let key, let (quotas, policy) = admission.quotas {
                decision = try await consumeQuota(key, quotas: quotas, policy: policy, context: context)
                if let decision, let limited = rateLimited(decision) { throw limited }
            }
            response = try await next(request, context)
        } catch {
            let gatewayError = GatewayError.from(error, path: path, method: method)
            if gatewayError.status >= 500 && !(error is GatewayError) {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            audit.update { if $0.errorCode == nil { $0.errorCode = gatewayError.code ?? gatewayError.type } }
            clientLeft = gatewayError == .clientClosedRequest()
            response = gatewayError.response
        }
        addHeaders(to: &response.headers, requestID: context.requestID, decision: decision, request: request.headers)
        return finishAudit(response, audit: audit, clientLeft: clientLeft || context.presence?.hasLeft == true)
    }

    /// A `/v1` response's own headers: the request id, the rate-limit headers, CORS.
    public func addHeaders(
        to headers: inout HTTPFields, requestID: String, decision: QuotaDecision?, request: HTTPFields
    ) {
        headers[HTTPField.Name("x-request-id")!] = requestID
        if let decision { QuotaPolicy.headers(decision, now: clock.now().unixSeconds, into: &headers) }
        if let cors { CORSHeaders.apply(cors, request: request, preflight: false, to: &headers) }
    }

    /// Counts this request against the key's and tenant's limits; nil when none apply.
    func consumeQuota(
        _ key: AuthorizedKey, quotas: any QuotaStore, policy: QuotaPolicy, context: Context
    ) async throws -> QuotaDecision? {
        let checks = policy.checks(for: key)
        if checks.isEmpty { return nil }
        do {
            return try await quotas.consume(checks, units: 1, now: clock.now())
        } catch {
            context.logger.error("quota store failed", metadata: ["error": "\(error)"])
            throw GatewayError.serviceUnavailable("The rate limiter is unavailable; retry shortly.")
        }
    }

    /// The 429 for a request over a limit, else nil.
    func rateLimited(_ decision: QuotaDecision) -> GatewayError? {
        guard !decision.allowed, let exceeded = decision.exceeded else { return nil }
        let retry = decision.retryAfter(now: clock.now().unixSeconds)
        let scope = exceeded.check.scope.hasPrefix("key:") ? "API key" : "organization"
        let window = exceeded.check.window == .minute ? "requests per minute" : "requests per day"
        return GatewayError.rateLimited(
            "Rate limit reached for this \(scope): \(exceeded.check.limit) \(window). Try again in \(retry)s.",
            retryAfterSeconds: retry)
    }

    func authenticate(_ request: Request, keys: KeyCache) async throws -> APIKeyRecord {
        let record: APIKeyRecord?
        let hash = APIKey.hash(try Self.bearerToken(request.headers[.authorization]))
        do {
            record = try await keys.lookup(hash: hash)
        } catch {
            throw GatewayError.serviceUnavailable("The key store is unavailable; retry shortly.")
        }
        guard let record else { throw GatewayError.invalidAPIKey() }
        if let reason = record.rejection(at: clock.now()) { throw GatewayError.invalidAPIKey(reason) }
        return record
    }

    /// The key in an `Authorization: Bearer <key>` header.
    static func bearerToken(_ header: String?) throws -> String {
        guard let header else { throw GatewayError.missingAPIKey() }
        // The scheme is case-insensitive; compared on bytes, since lowercasing the header copied the key.
        let utf8 = header.utf8
        guard utf8.count >= 7,
            zip(utf8.prefix(7), "bearer ".utf8).allSatisfy({ $0 == $1 || ($1 != 0x20 && $0 | 0x20 == $1) })
        else {
            throw GatewayError.invalidAPIKey("The Authorization header must be 'Bearer <key>'.")
        }
        let token = Substring(header.utf8.dropFirst(7)).drop(while: { $0 == " " })
        guard !token.isEmpty, token.count <= 256 else { throw GatewayError.invalidAPIKey() }
        return String(token)
    }

    /// The event-loop fast path's admission of a `/v1` request with this `Authorization` header, done now without
    /// suspending: the key's identity, when its record is cached and accepts the request now; nil for anything
    /// else (the request then goes through `handle`, which gives the same answer it always gives).
    public func admittedNow(authorization: String?) -> AuthorizedKey? {
        guard case .apiKeys(let keys, _, _) = admission, let token = try? Self.bearerToken(authorization),
            case .some(.some(let record)) = keys.cached(hash: APIKey.hash(token)),
            record.rejection(at: clock.now()) == nil
        else { return nil }
        return AuthorizedKey(record)
    }

    /// The fast path's quota check for an admitted key, done now: the decision (nil when no limit applies) if the
    /// request is within its limits and was counted; `.none` (nothing counted) when it is over a limit or the
    /// store cannot answer without suspending: `handle` then decides.
    public func consumedNow(_ key: AuthorizedKey) -> QuotaDecision?? {
        guard case .apiKeys(_, let quotas, let policy) = admission else { return .none }
        let checks = policy.checks(for: key)
        if checks.isEmpty { return .some(nil) }
        guard let quotas = quotas as? any ImmediateQuotaStore else { return .none }
        let decision = quotas.consumeNow(checks, units: 1, now: clock.now().unixSeconds)
        return decision.allowed ? .some(decision) : .none
    }

    /// Ends a request's audit event with `status` and emits it (with its metrics). `clientLeft`: the client stopped
    /// sending before its answer (`ClientPresence`), which is audited as a client that leaves mid-body is: 499
    /// `client_closed_request`, outcome `client_disconnect` (the status it would have had is not what it got).
    public func emit(_ audit: AuditRecorder, status: Int, disconnected: Bool = false, clientLeft: Bool = false) {
        var status = status
        if clientLeft && !disconnected {
            let left = GatewayError.clientClosedRequest()
            audit.update { if $0.errorCode == nil { $0.errorCode = left.code } }
            status = left.status
        }
        if let event = audit.finish(httpStatus: status, clientDisconnected: disconnected || clientLeft) {
            sink.emit(event)
            metrics.record(event)
        }
    }

    static let identityHeader = HTTPField.Name(IdentitySigner.identityHeader)!
    static let signatureHeader = HTTPField.Name(IdentitySigner.signatureHeader)!

    /// Emit the audit event. A complete (buffered) body is handed to the server in one write, so its event is
    /// emitted now (emitting is an in-memory append; the durable publish happens later, off the response path),
    /// which keeps the server's single-write fast path; `clientLeft` when the client left before its answer (before
    /// its body ended, or it stopped sending since: `ClientPresence`). A streamed body is wrapped: its event is
    /// emitted after the last byte was written, or when a write fails because the client went away.
    func finishAudit(_ response: Response, audit: AuditRecorder, clientLeft: Bool = false) -> Response {
        let status = Int(response.status.code)
        @Sendable func emit(disconnected: Bool) { self.emit(audit, status: status, disconnected: disconnected) }
        let body = response.body
        if body.contentLength != nil {
            self.emit(audit, status: status, clientLeft: clientLeft)
            return response
        }
        var response = response
        response.body = ResponseBody { writer in
            do {
                try await body.write(writer)
            } catch {
                emit(disconnected: true)
                throw error
            }
            emit(disconnected: false)
        }
        return response
    }
}

extension EdgeMiddleware.Admission {
    /// The quota store and policy of an admission that enforces quotas.
    var quotas: (any QuotaStore, QuotaPolicy)? {
        switch self {
        case .apiKeys(_, let quotas, let policy), .authorizer(let quotas, let policy): (quotas, policy)
        case .signedIdentity: nil
        }
    }
}

/// CORS response headers from configuration.
enum CORSHeaders {
    static func apply(_ cors: GatewayConfig.CORS, request: HTTPFields, preflight: Bool, to headers: inout HTTPFields) {
        guard let origin = request[.origin] else { return }
        let allowed = cors.allowedOrigins.contains("*") || cors.allowedOrigins.contains(origin)
        guard allowed else { return }
        headers[.accessControlAllowOrigin] = cors.allowedOrigins.contains("*") ? "*" : origin
        if !cors.allowedOrigins.contains("*") { headers[.vary] = "Origin" }
        headers[.accessControlExposeHeaders] =
            "x-request-id, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, retry-after"
        if preflight {
            headers[.accessControlAllowMethods] = "GET, POST, DELETE, OPTIONS"
            headers[.accessControlAllowHeaders] =
                request[.accessControlRequestHeaders] ?? cors.allowedHeaders.joined(separator: ", ")
            headers[.accessControlMaxAge] = String(cors.maxAgeSeconds)
        }
    }
}
