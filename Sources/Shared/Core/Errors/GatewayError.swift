import GatewaySchema

/// An error a client receives, always rendered as OpenAI's envelope
/// `{"error":{"message","type","param","code"}}` with the matching HTTP status.
///
/// Library, backend and provider errors are mapped to this type at the HTTP edge only.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var code: String?
    public var message: String
    public var param: String?
    /// Extra response headers (for example `Retry-After`).
    public var headers: [Header]

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        status: Int, type: String, code: String?, message: String, param: String? = nil, headers: [Header] = []
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers
    }

    public var description: String { "\(status) \(code ?? type): \(message)" }

    /// The OpenAI error envelope.
    public var envelope: JSONValue {
        .object([
            "error": .object([
                "message": .string(message),
                "type": .string(type),
                "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ])
        ])
    }
}

extension GatewayError {
    public static func invalidAPIKey(_ message: String = "Incorrect API key provided.") -> GatewayError {
        GatewayError(status: 401, type: "invalid_request_error", code: "invalid_api_key", message: message)
    }

    public static func missingAPIKey() -> GatewayError {
        invalidAPIKey(
            "You didn't provide an API key. Provide it in the Authorization header as 'Authorization: Bearer YOUR_KEY'."
        )
    }

    public static func modelNotAllowed(_ model: String) -> GatewayError {
        GatewayError(
            status: 403, type: "permission_error", code: "model_not_allowed",
            message: "This API key is not allowed to use the model '\(model)'.", param: "model")
    }

    public static func modelNotFound(_ model: String) -> GatewayError {
        GatewayError(
            status: 404, type: "invalid_request_error", code: "model_not_found",
            message: "The model '\(model)' does not exist or you do not have access to it.", param: "model")
    }

    public static func notFound(_ path: String) -> GatewayError {
        GatewayError(
            status: 404, type: "invalid_request_error", code: "unknown_url",
            message: "Unknown request URL: \(path). Please check the URL for typos.")
    }

    public static func methodNotAllowed(_ method: String, _ path: String) -> GatewayError {
        GatewayError(
            status: 405, type: "invalid_request_error", code: "method_not_allowed",
            message: "Method \(method) is not allowed for \(path).")
    }

    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }

    public static func invalidJSON(_ detail: String) -> GatewayError {
        GatewayError(
            status: 400, type: "invalid_request_error", code: "invalid_json",
            message: "The request body is not valid JSON: \(detail)")
    }

    public static func bodyTooLarge(limit: Int) -> GatewayError {
        GatewayError(
            status: 413, type: "invalid_request_error", code: "request_too_large",
            message: "The request body exceeds the limit of \(limit) bytes.")
    }

    /// A client that went away before its request was read: nobody receives it, but the audit event says so
    /// (nginx's 499, which OpenAI-compatible gateways use for the same case).
    public static func clientClosedRequest() -> GatewayError {
        GatewayError(
            status: 499, type: "invalid_request_error", code: "client_closed_request",
            message: "The client closed the request.")
    }

    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> GatewayError {
        GatewayError(
            status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: message,
            headers: [Header("retry-after", String(max(1, retryAfterSeconds)))])
    }

    public static func internalError(_ message: String = "The gateway hit an internal error.") -> GatewayError {
        GatewayError(status: 500, type: "server_error", code: "internal_error", message: message)
    }

    public static func serviceUnavailable(_ message: String) -> GatewayError {
        GatewayError(status: 503, type: "server_error", code: "service_unavailable", message: message)
    }
}
