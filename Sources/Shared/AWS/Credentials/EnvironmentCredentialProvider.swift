/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN` from an environment map.
public struct EnvironmentCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]

    /// `environment` is usually `ProcessInfo.processInfo.environment`; tests pass their own.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    /// The synchronous lookup behind `credentials()`.
    public func resolve() throws(AWSCredentialError) -> AWSCredentials {
        let keyID = value("AWS_ACCESS_KEY_ID")
        let secret = value("AWS_SECRET_ACCESS_KEY")
        switch (keyID, secret) {
        case (nil, nil):
            throw AWSCredentialError(
                .notConfigured, source: "environment",
                message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (nil, _):
            throw AWSCredentialError(
                .incomplete, source: "environment", message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
            )
        case (_, nil):
            throw AWSCredentialError(
                .incomplete, source: "environment", message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
            )
        case (let keyID?, let secret?):
            return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        }
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }
}
