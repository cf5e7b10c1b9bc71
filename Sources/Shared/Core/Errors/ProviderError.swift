/// A failure talking to an upstream provider, with a closed kind that drives retries and fallback.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case connectError = "connect_error"
        case timeout
        case rateLimited = "rate_limited"
        case upstreamServerError = "upstream_server_error"
        case overloaded
        case badRequest = "bad_request"
        case authentication
        case permissionDenied = "permission_denied"
        case notFound = "not_found"
        /// The endpoint does not serve this model (for example a completions-only model on the chat endpoint).
        case endpointNotSupported = "endpoint_not_supported"
        case requestTooLarge = "request_too_large"
        case invalidResponse = "invalid_response"
        case notConfigured = "not_configured"
        case cancelled
    }

    public var kind: Kind
    /// HTTP status the upstream answered, when it answered.
    public var upstreamStatus: Int?
    /// A short message safe to show to clients (never a raw upstream body, never a secret).
    public var message: String
    /// Seconds the upstream asked us to wait (429/503 `Retry-After`).
    public var retryAfterSeconds: Int?

    public init(_ kind: Kind, upstreamStatus: Int? = nil, message: String, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.upstreamStatus = upstreamStatus
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind.rawValue)\(upstreamStatus.map { " (\($0))" } ?? ""): \(message)" }

    /// Whether another attempt (same target after backoff, or the next target) may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .connectError, .timeout, .rateLimited, .upstreamServerError, .overloaded, .invalidResponse,
            .notConfigured:
            return true
        case .badRequest, .authentication, .permissionDenied, .notFound, .endpointNotSupported,
            .requestTooLarge, .cancelled:
            return false
        }
    }

    /// Whether this failure counts against the target's circuit breaker.
    public var countsAsTargetFailure: Bool {
        switch kind {
        case .connectError, .timeout, .upstreamServerError, .overloaded, .invalidResponse: return true
        default: return false
        }
    }

    /// Classify an upstream HTTP status.
    public static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400, 422: return .badRequest
        case 401: return .authentication
        case 403: return .permissionDenied
        case 404: return .notFound
        case 408: return .timeout
        case 413: return .requestTooLarge
        case 429: return .rateLimited
        case 529: return .overloaded
        case 500...599: return .upstreamServerError
        default: return status >= 400 && status < 500 ? .badRequest : .upstreamServerError
        }
    }

    /// The client-facing error once every attempt has failed with this error.
    public func gatewayError(provider: String) -> GatewayError {
        switch kind {
        case .badRequest:
            return GatewayError(
                status: 400, type: "invalid_request_error", code: "upstream_bad_request",
                message: "The upstream provider rejected the request: \(message)")
        case .authentication:
            return GatewayError(
                status: 401, type: "authentication_error", code: "upstream_authentication_failed",
                message: "The upstream provider '\(provider)' rejected the gateway's credentials.")
        case .permissionDenied:
            return GatewayError(
                status: 403, type: "permission_error", code: "upstream_permission_denied",
                message: "The upstream provider '\(provider)' denied access: \(message)")
        case .notFound:
            return GatewayError(
                status: 404, type: "invalid_request_error", code: "upstream_not_found",
                message: "The upstream provider '\(provider)' does not know this model or endpoint: \(message)")
        case .endpointNotSupported:
            return GatewayError(
                status: 400, type: "invalid_request_error", code: "endpoint_not_supported",
                message: "The upstream model does not support this endpoint: \(message)")
        case .requestTooLarge:
            return GatewayError(
                status: 413, type: "invalid_request_error", code: "request_too_large",
                message: "The upstream provider rejected the request as too large.")
        case .rateLimited:
            return GatewayError(
                status: 429, type: "rate_limit_error", code: "upstream_rate_limited",
                message: "The upstream provider is rate limiting requests; retry later.",
                headers: [.init("retry-after", String(max(1, retryAfterSeconds ?? 1)))])
        case .timeout:
            return GatewayError(
                status: 504, type: "server_error", code: "upstream_timeout",
                message: "The upstream provider did not answer in time.")
        case .cancelled:
            return .clientClosedRequest()
        case .notConfigured:
            return GatewayError(
                status: 503, type: "server_error", code: "provider_not_configured",
                message: "No upstream for this model is configured: \(message)")
        case .overloaded:
            // OpenAI's own answer when its engines are overloaded.
            return GatewayError(
                status: 503, type: "server_error", code: "upstream_overloaded",
                message: "The upstream provider is overloaded; retry later.",
                headers: [.init("retry-after", String(max(1, retryAfterSeconds ?? 1)))])
        case .connectError, .upstreamServerError, .invalidResponse:
            return GatewayError(
                status: 502, type: "server_error", code: "upstream_error",
                message: "The upstream provider failed: \(message)")
        }
    }
}
