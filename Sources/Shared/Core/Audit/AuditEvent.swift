#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What happened to one request, success or failure; exactly one per request.
public struct AuditEvent: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable, Equatable {
        /// The response was delivered completely.
        case success
        /// The gateway answered with an error status (rejections included).
        case error
        /// The client went away before the response was complete.
        case clientDisconnect = "client_disconnect"
        /// A stream that had started failed upstream (the client got an SSE error event).
        case streamError = "stream_error"
    }

    /// One call to one upstream target.
    public struct Attempt: Sendable, Equatable, Codable {
        public var provider: String
        public var model: String
        public var keyID: String?
        public var endpoint: String
        /// `ok` or the provider error kind.
        public var result: String
        public var httpStatus: Int?
        public var latencyMs: Double

        public init(
            provider: String, model: String, keyID: String?, endpoint: String, result: String, httpStatus: Int?,
            latencyMs: Double
        ) {
            self.provider = provider
            self.model = model
            self.keyID = keyID
            self.endpoint = endpoint
            self.result = result
            self.httpStatus = httpStatus
            self.latencyMs = latencyMs
        }
    }

    public var requestID: String
    public var timestamp: Date
    public var tenant: String?
    public var keyID: String?
    public var keyLabel: String?
    public var method: String
    public var path: String
    /// The model alias the client asked for.
    public var alias: String?
    /// The provider and model that served (or last failed).
    public var provider: String?
    public var providerModel: String?
    public var attempts: [Attempt]
    public var stream: Bool
    public var outcome: Outcome
    public var httpStatus: Int
    public var errorCode: String?
    public var latencyMs: Double
    public var timeToFirstByteMs: Double?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var cachedTokens: Int?

    public init(
        requestID: String, timestamp: Date, tenant: String? = nil, keyID: String? = nil, keyLabel: String? = nil,
        method: String, path: String, alias: String? = nil, provider: String? = nil, providerModel: String? = nil,
        attempts: [Attempt] = [], stream: Bool = false, outcome: Outcome, httpStatus: Int, errorCode: String? = nil,
        latencyMs: Double, timeToFirstByteMs: Double? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil,
        cachedTokens: Int? = nil
    ) {
        self.requestID = requestID
        self.timestamp = timestamp
        self.tenant = tenant
        self.keyID = keyID
        self.keyLabel = keyLabel
        self.method = method
        self.path = path
        self.alias = alias
        self.provider = provider
        self.providerModel = providerModel
        self.attempts = attempts
        self.stream = stream
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.latencyMs = latencyMs
        self.timeToFirstByteMs = timeToFirstByteMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
    }

    public var totalTokens: Int? {
        guard promptTokens != nil || completionTokens != nil else { return nil }
        return (promptTokens ?? 0) + (completionTokens ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", timestamp, tenant, keyID = "key_id", keyLabel = "key_label", method, path
        case alias, provider, providerModel = "provider_model", attempts, stream, outcome
        case httpStatus = "http_status", errorCode = "error_code", latencyMs = "latency_ms"
        case timeToFirstByteMs = "ttfb_ms", promptTokens = "prompt_tokens", completionTokens = "completion_tokens"
        case cachedTokens = "cached_tokens"
    }
}

extension AuditEvent.Attempt {
    enum CodingKeys: String, CodingKey {
        case provider, model, keyID = "key_id", endpoint, result, httpStatus = "http_status", latencyMs = "latency_ms"
    }
}

/// The one JSON form of audit events on every queue and in every log.
public enum AuditCodec {
    public static func encode(_ event: AuditEvent) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(event))
    }

    public static func decode(_ bytes: [UInt8]) throws -> AuditEvent {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(AuditEvent.self, from: Data(bytes))
    }
}
