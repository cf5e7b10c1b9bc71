import AsyncHTTPClient
import GatewayAWS
import GatewayAWSBackends
import GatewayBackends
import GatewayCore
import Logging

extension ProcessBootstrap {
    /// Whether the environment selects AWS mode's backends (`SWITCHBOARD_BACKEND=aws`).
    public static func usesAWS(_ environment: [String: String]) -> Bool {
        environment["SWITCHBOARD_BACKEND"]?.lowercased() == "aws"
    }

    /// AWS mode's backends (DynamoDB, SQS, Secrets Manager) as the environment names them (`AWSSettings`), in
    /// `AWS_REGION`, with credentials from the standard chain (the Lambda role's session credentials in a
    /// function). Call `store.httpClient.shutdown()` when done.
    public static func aws(environment: [String: String], logger: Logger) throws -> AWSStore {
        let settings: AWSSettings
        do {
            settings = try AWSSettings(environment: environment)
        } catch {
            throw BootstrapError(error.description)
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        return AWSStore(
            settings: settings, region: AWSRegion.fromEnvironment(environment) ?? AWSRegion("us-east-1"),
            environment: environment,
            credentials: AWSCredentialChain.standard(environment: environment, httpClient: http), httpClient: http,
            logger: logger)
    }

    /// The RAG vector store in AWS mode: S3 Vectors on the configuration file's bucket (`rag.store: s3vectors`),
    /// else on `SWITCHBOARD_RAG_S3VECTORS_BUCKET` (the template's bucket, which exists: it is not created here);
    /// an in-memory store for the services that never touch vectors.
    public static func awsVectors(
        config: GatewayConfig, store: AWSStore, needed: Bool, environment: [String: String], logger: Logger
    ) throws -> any VectorStore {
        var bucket = environment["SWITCHBOARD_RAG_S3VECTORS_BUCKET"].flatMap { $0.isEmpty ? nil : $0 }
        // The store's own S3 Vectors client (same credentials and HTTP client, endpoint from the environment),
        // unless the configuration file names another region or endpoint.
        var client = store.s3Vectors
        if case .s3vectors(let configured, let region, let baseURL) = config.ragStore {
            bucket = configured
            if region != nil || baseURL != nil, let credentials = store.credentials {
                client = S3VectorsClient(
                    region: region.map(AWSRegion.init) ?? store.region,
                    baseURL: baseURL ?? environment["AWS_ENDPOINT_URL_S3VECTORS"] ?? environment["AWS_ENDPOINT_URL"],
                    credentials: credentials, httpClient: store.httpClient, logger: logger)
            }
        }
        guard let bucket else {
            if needed {
                throw BootstrapError(
                    "the RAG service needs a vector bucket: set SWITCHBOARD_RAG_S3VECTORS_BUCKET (or rag.s3vectors)")
            }
            return MemoryVectorStore()
        }
        return S3VectorsStore(client: client, bucket: bucket)
    }
}

/// A start-up failure with a message for the operator.
public struct BootstrapError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
