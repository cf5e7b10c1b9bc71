import GatewayCore
import GatewaySchema

/// Bedrock error responses (status, `x-amzn-errortype`, `{"message"}`) and stream exception frames →
/// `ProviderError`, without echoing bodies.
enum BedrockErrors {
    static func error(status: Int, errorType: String?, body: [UInt8]) -> ProviderError {
        let parsed = try? JSONParser.parse(body)
        let upstream = parsed?["message"]?.stringValue ?? parsed?["Message"]?.stringValue
        let message = upstream.map(Sanitizer.clientSafe) ?? "HTTP \(status)"
        // `x-amzn-errortype` is `Name:namespace-uri`; older responses put `__type` in the body.
        let type = (errorType ?? parsed?["__type"]?.stringValue)?.split(separator: ":").first.map(String.init)
        var kind = type.flatMap(Self.kind(forException:)) ?? ProviderError.kind(forStatus: status)
        if kind == .badRequest, let text = upstream?.lowercased(),
            text.contains("too large") || text.contains("too long")
        {
            kind = .requestTooLarge
        }
        return ProviderError(kind, upstreamStatus: status, message: message)
    }

    /// An exception frame in the middle of a ConverseStream (`:exception-type`, `{"message"}` payload).
    static func streamException(type: String, payload: [UInt8]) -> ProviderError {
        let parsed = try? JSONParser.parse(payload)
        let message =
            (parsed?["message"]?.stringValue ?? parsed?["Message"]?.stringValue).map(Sanitizer.clientSafe) ?? type
        return ProviderError(kind(forException: type) ?? .upstreamServerError, message: message)
    }

    /// Kinds by exception name; stream exceptions are spelled in lower camel case (`throttlingException`).
    static func kind(forException name: String) -> ProviderError.Kind? {
        switch name.prefix(1).uppercased() + name.dropFirst() {
        case "ThrottlingException", "ServiceQuotaExceededException": return .rateLimited
        case "ServiceUnavailableException": return .overloaded
        case "ModelTimeoutException": return .timeout
        case "InternalServerException", "ModelStreamErrorException", "ModelErrorException",
            "ModelNotReadyException":
            return .upstreamServerError
        case "ValidationException": return .badRequest
        case "AccessDeniedException": return .permissionDenied
        case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
            "IncompleteSignatureException", "MissingAuthenticationTokenException":
            return .authentication
        case "ResourceNotFoundException": return .notFound
        default: return nil
        }
    }
}
