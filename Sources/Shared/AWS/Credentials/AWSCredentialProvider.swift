/// A source of AWS credentials.
public protocol AWSCredentialProvider: Sendable {
    /// Current credentials, or an `AWSCredentialError` (kind `.notConfigured` when this source is not set up).
    func credentials() async throws -> AWSCredentials
}

/// Fixed credentials, for configuration files and tests.
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials

    public init(_ credentials: AWSCredentials) {
        self.value = credentials
    }

    public func credentials() async throws -> AWSCredentials { value }
}
