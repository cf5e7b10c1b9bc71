import GatewayCore
import Hummingbird
import Logging

/// Per-request state shared by the edge and the services behind it.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The gateway's request id, sent back as `x-request-id` (behind the edge: the edge's id, see `adopt`).
    public internal(set) var requestID: String
    /// Set by the edge once the API key is verified.
    public var identity: Identity?
    /// AWS mode: what API Gateway's authorizer established (set by the Lambda host from the event; see
    /// `EdgeMiddleware.init(authorizer:)`). Never set from anything the client sends.
    public var authorizedKey: AuthorizedKey?
    /// Collects this request's audit event.
    public internal(set) var audit: AuditRecorder
    /// Set when the event-loop fast path admitted this request and handed it on (`EdgeHandoffs`).
    public internal(set) var handoff: EdgeHandoff?
    /// Whether the client is still there (nil where the connection has no `ClientPresence` handler).
    public internal(set) var presence: ClientPresence?

    public init(source: ApplicationRequestContextSource) {
        self.init(source: source, requestID: RandomID.requestID())
        self.presence = ClientPresence.of(source.channel)
    }

    /// A context for a request that did not come through Hummingbird's server (AWS mode: an API Gateway event),
    /// with an authorizer's result.
    public init(logger: Logger, authorizedKey: AuthorizedKey?) {
        self.init(source: LoggerSource(logger: logger), requestID: RandomID.requestID())
        self.authorizedKey = authorizedKey
    }

    init(source: some RequestContextSource, requestID: String) {
        self.coreContext = .init(source: source)
        self.requestID = requestID
        self.audit = AuditRecorder(requestID: requestID)
        self.logger[metadataKey: "request_id"] = .string(requestID)
    }

    /// Behind the edge (self-hosted mode): continue the request the edge signed for, under its request id.
    mutating func adopt(_ claims: IdentityClaims) {
        requestID = claims.requestID
        audit = AuditRecorder(requestID: claims.requestID)
        identity = claims.identity
        logger[metadataKey: "request_id"] = .string(claims.requestID)
    }

    /// Continue a request the fast path admitted, under its request id and audit event.
    mutating func adopt(_ handoff: EdgeHandoff) {
        requestID = handoff.requestID
        audit = handoff.audit
        identity = handoff.identity
        self.handoff = handoff
        logger[metadataKey: "request_id"] = .string(handoff.requestID)
    }

    /// The body limit is enforced by `readBody`, not by Hummingbird's decoder.
    public var maxUploadSize: Int { Int.max }
}

/// A context source that is only a logger.
struct LoggerSource: RequestContextSource {
    var logger: Logger
}
