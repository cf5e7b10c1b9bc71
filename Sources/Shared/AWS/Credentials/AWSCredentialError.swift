/// Why no credentials could be obtained. Messages name sources, variables, files and fields, never values.
public struct AWSCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The source is not configured here; a chain moves on to the next source.
        case notConfigured = "not_configured"
        /// The source is configured but a required piece is missing (for example a key id without a secret).
        case incomplete
        /// The named profile exists in neither file.
        case profileNotFound = "profile_not_found"
        /// The profile needs a mechanism this gateway does not implement (assume-role, SSO, process).
        case unsupported
        /// A file or endpoint answered something that could not be used.
        case invalidResponse = "invalid_response"
        /// The credentials endpoint could not be reached or answered with an error status.
        case unavailable
    }

    public var kind: Kind
    /// The source: `environment`, `shared-files`, `container`, `static`, `chain`.
    public var source: String
    public var message: String

    public init(_ kind: Kind, source: String, message: String) {
        self.kind = kind
        self.source = source
        self.message = message
    }

    public var description: String { "AWS credentials (\(source)): \(kind.rawValue): \(message)" }
}
