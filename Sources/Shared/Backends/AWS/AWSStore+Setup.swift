import GatewayAWS
import GatewayCore
import GatewaySchema

/// The tables and queues of AWS serverless mode, for tests and local set-up (production creates them with the
/// SAM template, which must match).
extension AWSStore {
    /// The four tables (on demand) with their keys, indexes and TTL attributes.
    public var tableSpecs: [DynamoDBTableSpec] {
        let sk = DynamoDBKeyAttribute("sk")
        return [
            DynamoDBTableSpec(name: settings.routesTable, partitionKey: DynamoDBKeyAttribute("alias")),
            DynamoDBTableSpec(
                name: settings.quotasTable, partitionKey: DynamoDBKeyAttribute("counter"), ttlAttribute: "expiresAt"),
            DynamoDBTableSpec(
                name: settings.requestsTable, partitionKey: DynamoDBKeyAttribute("tenant"), sortKey: sk,
                indexes: [
                    DynamoDBIndexSpec(
                        name: RequestLogItem.byRequestID, partitionKey: DynamoDBKeyAttribute("requestId")),
                    DynamoDBIndexSpec(
                        name: RequestLogItem.byAlias, partitionKey: DynamoDBKeyAttribute("alias"), sortKey: sk),
                    DynamoDBIndexSpec(
                        name: RequestLogItem.byProviderStatus, partitionKey: DynamoDBKeyAttribute("providerStatus"),
                        sortKey: sk),
                    DynamoDBIndexSpec(
                        name: RequestLogItem.byDay, partitionKey: DynamoDBKeyAttribute("day"), sortKey: sk),
                ], ttlAttribute: "expiresAt"),
            DynamoDBTableSpec(
                name: settings.stateTable, partitionKey: DynamoDBKeyAttribute("pk"), ttlAttribute: "expiresAt"),
        ]
    }

    /// Creates the tables that do not exist yet.
    public func createTables() async throws {
        for spec in tableSpecs where try await dynamoDB.describeTable(spec.name) == nil {
            try await dynamoDB.createTable(spec)
        }
    }

    /// Creates standard queues named `<prefix>-audit`, `<prefix>-audit-dlq` (the audit queue's dead-letter queue
    /// after `maxReceiveCount` deliveries), `<prefix>-rag-ingest` and `<prefix>-media` with `visibilityTimeout`,
    /// and returns the settings with their URLs.
    public func createQueues(
        prefix: String, visibilityTimeout: Int = 30, maxReceiveCount: Int = 5
    ) async throws -> AWSSettings {
        var settings = self.settings
        let timeout = ["VisibilityTimeout": String(visibilityTimeout)]
        let dlq = try await sqs.createQueue(name: "\(prefix)-audit-dlq")
        guard let dlqARN = try await sqs.getQueueAttributes(queueURL: dlq, names: ["QueueArn"])["QueueArn"] else {
            throw AWSClientError(.invalidResponse, message: "SQS answered without the queue's ARN")
        }
        let redrive = #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":"\#(maxReceiveCount)"}"#
        settings.auditDLQURL = dlq
        settings.auditQueueURL = try await sqs.createQueue(
            name: "\(prefix)-audit", attributes: timeout.merging(["RedrivePolicy": redrive]) { $1 })
        settings.ragQueueURL = try await sqs.createQueue(name: "\(prefix)-rag-ingest", attributes: timeout)
        settings.mediaQueueURL = try await sqs.createQueue(name: "\(prefix)-media", attributes: timeout)
        return settings
    }
}
