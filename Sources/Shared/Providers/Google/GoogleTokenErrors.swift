import GatewayCore
import GatewaySchema

/// Maps a failed token exchange to `ProviderError` without echoing the body, the assertion or the token.
enum GoogleTokenErrors {
    static func error(status: Int, body: [UInt8]) -> ProviderError {
        let code = (try? JSONParser.parse(body))?["error"]?.stringValue.flatMap(safeCode)
        let detail = code.map { " (\($0))" } ?? ""
        switch status {
        case 400, 401:
            return ProviderError(
                .authentication, upstreamStatus: status,
                message: "Google rejected the service account's token request\(detail)")
        case 403:
            return ProviderError(
                .permissionDenied, upstreamStatus: status, message: "Google denied the token request\(detail)")
        case 429:
            return ProviderError(
                .rateLimited, upstreamStatus: status, message: "Google is rate limiting token requests")
        case 500...599:
            return ProviderError(
                .upstreamServerError, upstreamStatus: status, message: "the Google token endpoint failed (\(status))")
        default:
            return ProviderError(
                ProviderError.kind(forStatus: status), upstreamStatus: status,
                message: "the Google token endpoint answered HTTP \(status)\(detail)")
        }
    }

    /// An OAuth error code such as `invalid_grant`; anything else is dropped.
    static func safeCode(_ code: String) -> String? {
        guard !code.isEmpty, code.utf8.count <= 64,
            code.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_") })
        else { return nil }
        return code
    }
}
