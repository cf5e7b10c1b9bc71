import AsyncHTTPClient
import GatewayCore

/// Tries providers in order and caches the first credentials found.
///
/// A provider failing with `.notConfigured` passes to the next; any other error ends the search (a half
/// configured source is a mistake to report, not to skip). Credentials with an expiration are refreshed once
/// `refreshMargin` (5 minutes) before it; concurrent callers share the single refresh in flight. When a refresh
/// fails while the cached credentials have not yet expired, those are returned.
public actor AWSCredentialChain: AWSCredentialProvider {
    public nonisolated let providers: [any AWSCredentialProvider]
    let clock: any WallClock
    let refreshMargin: Double
    private var cached: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    /// - Parameter refreshMargin: seconds before expiry at which credentials are refreshed.
    public init(
        providers: [any AWSCredentialProvider], clock: any WallClock = SystemWallClock(), refreshMargin: Double = 300
    ) {
        self.providers = providers
        self.clock = clock
        self.refreshMargin = refreshMargin
    }

    /// The default chain, in the AWS SDKs' order (as the SDK for Java 2.x's default provider):
    /// 1. environment keys (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
    /// 2. web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`: EKS IRSA);
    /// 3. the shared files' profile (static keys, `role_arn` with `source_profile` / `credential_source` /
    ///    `web_identity_token_file`, `credential_process`);
    /// 4. the container endpoint (ECS, EKS Pod Identity);
    /// 5. the EC2 instance metadata service (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
    public static func standard(
        environment: [String: String], httpClient: HTTPClient, clock: any WallClock = SystemWallClock()
    ) -> AWSCredentialChain {
        AWSCredentialChain(
            providers: [
                EnvironmentCredentialProvider(environment: environment),
                WebIdentityCredentialProvider(environment: environment, httpClient: httpClient),
                SharedFilesCredentialProvider(environment: environment, httpClient: httpClient),
                ContainerCredentialProvider(environment: environment, httpClient: httpClient),
                InstanceMetadataCredentialProvider(environment: environment, httpClient: httpClient),
            ], clock: clock)
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !cached.isExpired(at: clock.now(), margin: refreshMargin) { return cached }
        let task: Task<AWSCredentials, any Error>
        if let inFlight {
            task = inFlight
        } else {
            let providers = self.providers
            task = Task { try await Self.firstCredentials(from: providers) }
            inFlight = task
        }
        do {
            let fresh = try await task.value
            if inFlight == task {
                inFlight = nil
                cached = fresh
            }
            return fresh
        } catch {
            if inFlight == task { inFlight = nil }
            if let cached, !cached.isExpired(at: clock.now()) { return cached }
            throw error
        }
    }

    /// Forgets the cached credentials (for example after the service answered `ExpiredToken`).
    public func invalidate() {
        cached = nil
    }

    static func firstCredentials(from providers: [any AWSCredentialProvider]) async throws -> AWSCredentials {
        var skipped: [AWSCredentialError] = []
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch let error as AWSCredentialError where error.kind == .notConfigured {
                skipped.append(error)
            }
        }
        let tried = skipped.isEmpty ? "nothing" : skipped.map(\.source).joined(separator: ", ")
        let reasons = skipped.map { "\($0.source): \($0.message)" }.joined(separator: "; ")
        throw AWSCredentialError(
            .notConfigured, source: "chain",
            message: "no credentials found (tried: \(tried))" + (reasons.isEmpty ? "" : "; " + reasons))
    }
}
