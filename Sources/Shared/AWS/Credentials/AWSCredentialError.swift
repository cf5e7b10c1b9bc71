/// Why no credentials could be obtained. Messages name sources, variables, files and fields, never values.
public struct AWSCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The source is not configured here; a chain moves on to the next source.
        case notConfigured = "not_configured"
        /// The source is configured but a required piece is missing (for example a key id without a secret).
        case incomplete
        /// The named profile exists in neither file.
        case profileNotFound = "profile_not_found"
        /// The profile needs a mechanism this gateway does not implement (SSO, MFA prompts).
        case unsupported
        /// A file or endpoint answered something that could not be used.
        case invalidResponse = "invalid_response"
        /// The credentials endpoint could not be reached or answered with an error status.
        case unavailable
        /// STS refused to issue credentials (`AccessDenied`, `InvalidIdentityToken`, `ExpiredTokenException`, …).
        case denied
    }

    public var kind: Kind
    /// The source: `environment`, `web-identity`, `shared-files`, `assume-role`, `process`, `container`,
    /// `instance-metadata`, `static`, `chain`.
    public var source: String
    public var message: String

    public init(_ kind: Kind, source: String, message: String) {
        self.kind = kind
        self.source = source
        self.message = message
    }

    public var description: String { "AWS credentials (\(source)): \(kind.rawValue): \(message)" }

    /// An STS call's failure as an error of `source`. `call` says what was asked ("AssumeRole of arn:… for profile
    /// 'x'"); an STS error answer becomes `.denied` (4xx) or `.unavailable` (5xx, throttling) with its code and
    /// message, every value of `secrets` replaced in the message (validation errors echo parameters); a transport
    /// failure becomes `.unavailable`. Cancellation stays `CancellationError`.
    static func fromSTS(_ error: any Error, source: String, call: String, secrets: [String]) -> any Error {
        switch error {
        case is CancellationError:
            return error
        case let error as AWSServiceError:
            var message = error.message
            for secret in secrets where secret.count >= 4 {
                message = message.replacing(secret, with: "<redacted>")
            }
            let kind: Kind = error.status >= 500 || error.status == 429 ? .unavailable : .denied
            return AWSCredentialError(
                kind, source: source, message: "\(call): STS answered \(error.code) (HTTP \(error.status)): \(message)")
        case let error as AWSClientError:
            let kind: Kind = error.kind == .invalidResponse ? .invalidResponse : .unavailable
            return AWSCredentialError(kind, source: source, message: "\(call): \(error.message)")
        default:
            return AWSCredentialError(.unavailable, source: source, message: "\(call): \(type(of: error))")
        }
    }
}
