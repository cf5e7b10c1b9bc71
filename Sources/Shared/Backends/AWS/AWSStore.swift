import AsyncHTTPClient
import GatewayAWS
import GatewayCore
import GatewaySchema
import Logging

/// AWS serverless mode's state: the clients of SQS, DynamoDB, Secrets Manager and S3 Vectors over one
/// `HTTPClient`, with the table, queue and secret names of `AWSSettings`. `ports(vectors:)` gives every port on
/// them.
public struct AWSStore: Sendable {
    public let settings: AWSSettings
    public let region: AWSRegion
    public let httpClient: HTTPClient
    public let sqs: SQSClient
    public let dynamoDB: DynamoDBClient
    public let secretsManager: SecretsManagerClient
    public let s3Vectors: S3VectorsClient
    /// The credentials the clients sign with (nil when they were made elsewhere), for another client of the same
    /// account (an S3 Vectors endpoint or region the configuration file names).
    public let credentials: (any AWSCredentialProvider)?

    public init(
        settings: AWSSettings, region: AWSRegion, sqs: SQSClient, dynamoDB: DynamoDBClient,
        secretsManager: SecretsManagerClient, s3Vectors: S3VectorsClient, httpClient: HTTPClient,
        credentials: (any AWSCredentialProvider)? = nil
    ) {
        self.credentials = credentials
        self.settings = settings
        self.region = region
        self.sqs = sqs
        self.dynamoDB = dynamoDB
        self.secretsManager = secretsManager
        self.s3Vectors = s3Vectors
        self.httpClient = httpClient
    }

    /// The same clients with other names.
    public func with(settings: AWSSettings) -> AWSStore {
        AWSStore(
            settings: settings, region: region, sqs: sqs, dynamoDB: dynamoDB, secretsManager: secretsManager,
            s3Vectors: s3Vectors, httpClient: httpClient, credentials: credentials)
    }

    /// Clients of the endpoints the environment names (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, else
    /// the regional ones) in `region`.
    public init(
        settings: AWSSettings, region: AWSRegion, environment: [String: String],
        credentials: any AWSCredentialProvider, httpClient: HTTPClient,
        logger: Logger = Logger(label: "switchboard.aws")
    ) {
        func json(_ service: AWSServiceEndpoint) -> AWSJSONClient {
            AWSJSONClient(
                service: service, region: region, environment: environment, credentials: credentials,
                httpClient: httpClient, logger: logger)
        }
        self.init(
            settings: settings, region: region, sqs: SQSClient(json: json(.sqs)),
            dynamoDB: DynamoDBClient(json: json(.dynamoDB)),
            secretsManager: SecretsManagerClient(json: json(.secretsManager)),
            s3Vectors: S3VectorsClient(json: json(.s3Vectors)), httpClient: httpClient, credentials: credentials)
    }

    public var queueURLs: [QueueTopic: String] {
        QueueTopic.allCases.reduce(into: [:]) { urls, topic in urls[topic] = settings.queueURL(for: topic) }
    }

    /// The key map is read again after `SWITCHBOARD_SECRETS_TTL_SECONDS` (at most 30 s), so that a revoked key
    /// stops within that (plus the authorizer's result cache).
    public var apiKeys: SecretsManagerAPIKeyStore {
        SecretsManagerAPIKeyStore(
            client: secretsManager, secretID: settings.apiKeysSecret,
            cacheTTL: .seconds(min(30, settings.secretsTTLSeconds)))
    }

    /// Every port on AWS, vectors in `vectors`.
    public func ports(vectors: any VectorStore) -> GatewayPorts {
        GatewayPorts(
            keys: apiKeys, quotas: DynamoDBQuotaStore(client: dynamoDB, table: settings.quotasTable),
            routes: DynamoDBRouteStore(client: dynamoDB, table: settings.routesTable),
            queue: SQSQueue(client: sqs, queueURLs: queueURLs),
            requestLog: DynamoDBRequestLog(
                client: dynamoDB, table: settings.requestsTable, ttlDays: settings.requestsTTLDays),
            responses: DynamoDBResponseStore(client: dynamoDB, table: settings.stateTable), vectors: vectors,
            ragJobs: DynamoDBRAGJobStore(client: dynamoDB, table: settings.stateTable))
    }

    /// Moves the audit queue's dead letters back (`SWITCHBOARD_AUDIT_DLQ_URL` → `SWITCHBOARD_AUDIT_QUEUE_URL`);
    /// nil when either is not configured.
    public var auditDLQReplay: DLQReplay? {
        guard let dlq = settings.auditDLQURL, let queue = settings.auditQueueURL else { return nil }
        return DLQReplay(client: sqs, deadLetterQueueURL: dlq, queueURL: queue)
    }

    /// Provider keys named by `<STEM>_SECRET_ARN[_<KEY_ID>]` in `environment`, refreshed every
    /// `SWITCHBOARD_SECRETS_TTL_SECONDS` into `overlay`.
    public func providerSecrets(environment: [String: String], overlay: CredentialOverlay) -> ProviderSecrets {
        ProviderSecrets(
            client: secretsManager, overlay: overlay, sources: ProviderSecretSource.all(in: environment),
            ttl: .seconds(settings.secretsTTLSeconds))
    }
}
