import GatewayCore
import GatewaySchema

/// Anthropic error responses and stream `error` events → `ProviderError`, without echoing bodies.
enum AnthropicErrors {
    static func error(status: Int, body: [UInt8], retryAfter: String?) -> ProviderError {
        let parsed = try? JSONParser.parse(body)
        let message = parsed?["error"]?["message"]?.stringValue.map(Sanitizer.clientSafe) ?? "HTTP \(status)"
        var kind = ProviderError.kind(forStatus: status)
        if let type = parsed?["error"]?["type"]?.stringValue, type == "overloaded_error" { kind = .overloaded }
        return ProviderError(
            kind, upstreamStatus: status, message: message, retryAfterSeconds: retryAfter.flatMap { Int($0) })
    }

    /// An `error` event in the middle of a stream.
    static func streamError(_ error: JSONValue?) -> ProviderError {
        let message = error?["message"]?.stringValue.map(Sanitizer.clientSafe) ?? "stream error"
        return ProviderError(kind(forType: error?["type"]?.stringValue), message: message)
    }

    static func kind(forType type: String?) -> ProviderError.Kind {
        switch type {
        case "invalid_request_error": return .badRequest
        case "authentication_error": return .authentication
        case "permission_error": return .permissionDenied
        case "not_found_error": return .notFound
        case "request_too_large": return .requestTooLarge
        case "rate_limit_error": return .rateLimited
        case "overloaded_error": return .overloaded
        case "timeout_error": return .timeout
        default: return .upstreamServerError  // api_error and anything new
        }
    }
}
