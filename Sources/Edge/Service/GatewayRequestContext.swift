import GatewayCore
import Hummingbird
import Logging

/// Per-request state shared by the edge and the services behind it.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The gateway's request id, sent back as `x-request-id`.
    public let requestID: String
    /// Set by the edge once the API key is verified.
    public var identity: Identity?
    /// Collects this request's audit event.
    public let audit: AuditRecorder

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = RandomID.requestID()
        self.audit = AuditRecorder(requestID: requestID)
        self.logger[metadataKey: "request_id"] = .string(requestID)
    }

    /// The body limit is enforced by `readBody`, not by Hummingbird's decoder.
    public var maxUploadSize: Int { Int.max }
}
