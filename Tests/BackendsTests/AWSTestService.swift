import AsyncHTTPClient
import Foundation
import GatewayAWS
import GatewayAWSBackends
import GatewayCore

/// The moto server of the AWS backends' tests (`scripts/moto start`, SigV4 checked): its URL and the access key
/// created on it, from `SWITCHBOARD_TEST_AWS_URL`, `…_ACCESS_KEY_ID` and `…_SECRET_ACCESS_KEY`. Tests that need it
/// are skipped when they are unset. Every store gets tables, queues and a key secret of its own.
enum AWSTestService {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var url: String? {
        environment["SWITCHBOARD_TEST_AWS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var isConfigured: Bool { url != nil }

    static func credentials(secretAccessKey: String? = nil) -> StaticCredentialProvider {
        StaticCredentialProvider(
            AWSCredentials(
                accessKeyID: environment["SWITCHBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? "missing",
                secretAccessKey: secretAccessKey ?? environment["SWITCHBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? "missing"))
    }

    static let region = AWSRegion("us-east-1")

    /// A store over fresh tables, queues (visibility timeout `visibilityTimeout` seconds; the audit queue's DLQ
    /// after `maxReceiveCount` deliveries) and key secret, and the function that removes them.
    static func makeStore(
        visibilityTimeout: Int = 1, maxReceiveCount: Int = 5, secretAccessKey: String? = nil
    ) async throws -> (AWSStore, @Sendable () async -> Void) {
        guard let url else { throw ServiceMissing() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let prefix = "sb-\(UUID().uuidString.prefix(8).lowercased())"
        var settings = AWSSettings()
        settings.apiKeysSecret = "/\(prefix)/api-keys"
        settings.routesTable = "\(prefix)-routes"
        settings.quotasTable = "\(prefix)-quotas"
        settings.requestsTable = "\(prefix)-requests"
        settings.stateTable = "\(prefix)-state"
        var store = AWSStore(
            settings: settings, region: region, environment: ["AWS_ENDPOINT_URL": url],
            credentials: credentials(secretAccessKey: secretAccessKey), httpClient: http)
        let teardown: @Sendable () async -> Void = { try? await http.shutdown() }
        do {
            try await store.createTables()
            settings = try await store.createQueues(
                prefix: prefix, visibilityTimeout: visibilityTimeout, maxReceiveCount: maxReceiveCount)
            store = store.with(settings: settings)
        } catch {
            await teardown()
            throw error
        }
        let ready = store
        let queues = [settings.auditQueueURL, settings.auditDLQURL, settings.ragQueueURL, settings.mediaQueueURL]
        return (
            ready,
            {
                for spec in ready.tableSpecs { try? await ready.dynamoDB.deleteTable(spec.name) }
                for queue in queues {
                    if let queue { try? await ready.sqs.deleteQueue(queueURL: queue) }
                }
                await teardown()
            }
        )
    }

    struct ServiceMissing: Error {}
}
