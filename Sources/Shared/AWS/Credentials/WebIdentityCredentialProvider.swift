import AsyncHTTPClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Credentials for an OIDC token in a file (EKS IRSA, GitHub Actions): `AWS_WEB_IDENTITY_TOKEN_FILE` and
/// `AWS_ROLE_ARN` (optionally `AWS_ROLE_SESSION_NAME`), or a profile's `web_identity_token_file` and `role_arn`,
/// exchanged at STS with `AssumeRoleWithWebIdentity` (unsigned). The token file is read again on every call, so a
/// rotated token is used when the chain refreshes (5 minutes before `Expiration`).
public struct WebIdentityCredentialProvider: AWSCredentialProvider {
    static let source = "web-identity"

    /// What one exchange needs.
    public struct Parameters: Sendable, Equatable {
        public var tokenFile: String
        public var roleARN: String
        /// nil: `switchboard-<unix milliseconds>`.
        public var sessionName: String?
        public var durationSeconds: Int?

        public init(tokenFile: String, roleARN: String, sessionName: String? = nil, durationSeconds: Int? = nil) {
            self.tokenFile = tokenFile
            self.roleARN = roleARN
            self.sessionName = sessionName
            self.durationSeconds = durationSeconds
        }
    }

    let fixed: Parameters?
    let environment: [String: String]
    let region: AWSRegion?
    let httpClient: HTTPClient
    let readFile: @Sendable (String) -> String?
    /// Where the error messages say the parameters came from (`AWS_WEB_IDENTITY_TOKEN_FILE`, `profile 'x'`).
    let origin: String

    /// From the environment (`AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME`); STS in
    /// `AWS_REGION` / `AWS_DEFAULT_REGION` (else us-east-1) at the endpoint `AWSServiceEndpoint.sts` resolves.
    public init(
        environment: [String: String], httpClient: HTTPClient,
        readFile: @escaping @Sendable (String) -> String? = SharedFilesCredentialProvider.readTextFile
    ) {
        self.fixed = nil
        self.environment = environment
        self.region = nil
        self.httpClient = httpClient
        self.readFile = readFile
        self.origin = "the environment"
    }

    /// With parameters from elsewhere (a profile). STS's region: `AWS_REGION` / `AWS_DEFAULT_REGION`, else `region`
    /// (the profile's), else us-east-1.
    public init(
        parameters: Parameters, origin: String, region: AWSRegion?, environment: [String: String],
        httpClient: HTTPClient,
        readFile: @escaping @Sendable (String) -> String? = SharedFilesCredentialProvider.readTextFile
    ) {
        self.fixed = parameters
        self.environment = environment
        self.region = region
        self.httpClient = httpClient
        self.readFile = readFile
        self.origin = origin
    }

    /// The parameters in use: `.notConfigured` when `AWS_WEB_IDENTITY_TOKEN_FILE` is not set, `.incomplete` when it
    /// is set without `AWS_ROLE_ARN`.
    public func parameters() throws(AWSCredentialError) -> Parameters {
        if let fixed { return fixed }
        guard let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            throw AWSCredentialError(
                .notConfigured, source: Self.source, message: "AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        }
        guard let roleARN = value("AWS_ROLE_ARN") else {
            throw AWSCredentialError(
                .incomplete, source: Self.source, message: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        }
        return Parameters(tokenFile: tokenFile, roleARN: roleARN, sessionName: value("AWS_ROLE_SESSION_NAME"))
    }

    public func credentials() async throws -> AWSCredentials {
        let parameters = try parameters()
        guard let text = readFile(parameters.tokenFile) else {
            throw AWSCredentialError(
                .incomplete, source: Self.source,
                message: "the web identity token file \(parameters.tokenFile) (from \(origin)) cannot be read")
        }
        let token = text.trimmingSpaces
        guard !token.isEmpty else {
            throw AWSCredentialError(
                .incomplete, source: Self.source,
                message: "the web identity token file \(parameters.tokenFile) (from \(origin)) is empty")
        }
        let sts = STSClient(
            region: AWSRegion.fromEnvironment(environment) ?? region ?? AWSRegion("us-east-1"),
            environment: environment, httpClient: httpClient)
        do {
            return try await sts.assumeRoleWithWebIdentity(
                roleARN: parameters.roleARN, sessionName: parameters.sessionName ?? STSClient.defaultSessionName(),
                webIdentityToken: token, durationSeconds: parameters.durationSeconds)
        } catch {
            throw AWSCredentialError.fromSTS(
                error, source: Self.source,
                call: "AssumeRoleWithWebIdentity of \(parameters.roleARN) (from \(origin))", secrets: [token])
        }
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }
}
