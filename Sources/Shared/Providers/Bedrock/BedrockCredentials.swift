import AsyncHTTPClient
import GatewayAWS
import GatewayCore
import Synchronization

/// AWS credentials for Bedrock calls: the standard chain (`AWSCredentialChain.standard`), or, for a target with a
/// `key_id`, the shared-files profile of that name (one AWS account per key id; static keys, a role or a
/// credential process). Each chain caches and refreshes its credentials; chains are built once and kept.
public final class BedrockCredentials: Sendable {
    let environment: [String: String]
    let httpClient: HTTPClient
    let standard: AWSCredentialChain
    let profiles: Mutex<[String: AWSCredentialChain]> = Mutex([:])

    public init(environment: [String: String], httpClient: HTTPClient) {
        self.environment = environment
        self.httpClient = httpClient
        self.standard = AWSCredentialChain.standard(environment: environment, httpClient: httpClient)
    }

    /// Credentials for a target; failures are `notConfigured` (another target may serve) and name no secret.
    public func credentials(keyID: String?) async throws -> AWSCredentials {
        let chain = keyID.map(profileChain) ?? standard
        do {
            return try await chain.credentials()
        } catch let error as AWSCredentialError {
            throw ProviderError(.notConfigured, message: "bedrock has no usable AWS credentials: \(error)")
        } catch {
            throw ProviderError(.notConfigured, message: "bedrock has no usable AWS credentials")
        }
    }

    func profileChain(_ profile: String) -> AWSCredentialChain {
        profiles.withLock { chains in
            if let chain = chains[profile] { return chain }
            let chain = AWSCredentialChain(
                providers: [
                    SharedFilesCredentialProvider(environment: environment, profile: profile, httpClient: httpClient)
                ])
            chains[profile] = chain
            return chain
        }
    }
}
