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
    /// Collects this request's audit event.
    public internal(set) var audit: AuditRecorder

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = RandomID.requestID()
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

    /// The body limit is enforced by `readBody`, not by Hummingbird's decoder.
    public var maxUploadSize: Int { Int.max }
}
