import AsyncHTTPClient

/// A role's temporary credentials from STS `AssumeRole`, signed with the credentials of another provider (a
/// profile's `source_profile` or `credential_source`). A source that is not configured is an error here, not a
/// reason for the chain to move on: the profile asked for it.
public struct AssumeRoleCredentialProvider: AWSCredentialProvider {
    static let source = "assume-role"

    /// What `AssumeRole` is asked for.
    public struct Parameters: Sendable, Equatable {
        public var roleARN: String
        /// nil: `switchboard-<unix milliseconds>`.
        public var sessionName: String?
        public var externalID: String?
        public var durationSeconds: Int?

        public init(roleARN: String, sessionName: String? = nil, externalID: String? = nil, durationSeconds: Int? = nil)
        {
            self.roleARN = roleARN
            self.sessionName = sessionName
            self.externalID = externalID
            self.durationSeconds = durationSeconds
        }
    }

    public let parameters: Parameters
    /// Where the role came from, for messages (`profile 'ops'`).
    public let origin: String
    let sourceProvider: any AWSCredentialProvider
    let region: AWSRegion?
    let environment: [String: String]
    let httpClient: HTTPClient

    /// - Parameter region: the profile's region. STS's region is `AWS_REGION` / `AWS_DEFAULT_REGION` of
    ///   `environment`, else `region`, else us-east-1; its endpoint follows `AWSServiceEndpoint.sts`
    ///   (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the regional endpoint).
    public init(
        parameters: Parameters, origin: String, source: any AWSCredentialProvider, region: AWSRegion?,
        environment: [String: String], httpClient: HTTPClient
    ) {
        self.parameters = parameters
        self.origin = origin
        self.sourceProvider = source
        self.region = region
        self.environment = environment
        self.httpClient = httpClient
    }

    public func credentials() async throws -> AWSCredentials {
        let sourceCredentials: AWSCredentials
        do {
            sourceCredentials = try await sourceProvider.credentials()
        } catch let error as AWSCredentialError where error.kind == .notConfigured {
            throw AWSCredentialError(
                .incomplete, source: Self.source,
                message: "\(origin) assumes \(parameters.roleARN) with credentials from \(error.source), which has "
                    + "none: \(error.message)")
        }
        let region = AWSRegion.fromEnvironment(environment) ?? self.region ?? AWSRegion("us-east-1")
        let sts = STSClient(region: region, environment: environment, httpClient: httpClient)
        do {
            return try await sts.assumeRole(
                roleARN: parameters.roleARN, sessionName: parameters.sessionName ?? STSClient.defaultSessionName(),
                externalID: parameters.externalID, durationSeconds: parameters.durationSeconds,
                credentials: sourceCredentials)
        } catch {
            throw AWSCredentialError.fromSTS(
                error, source: Self.source, call: "AssumeRole of \(parameters.roleARN) (from \(origin))",
                secrets: [sourceCredentials.secretAccessKey] + (sourceCredentials.sessionToken.map { [$0] } ?? []))
        }
    }
}
