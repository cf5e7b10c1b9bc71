import ArgumentParser
import AsyncHTTPClient
import GatewayAWSBackends
import GatewayCore
import GatewayPostgres
import Logging
import ServiceLifecycle
import SwitchboardApp

#if SWITCHBOARD_KAFKA
    import GatewayKafka
#endif

/// The backends a service process runs on: PostgreSQL + Kafka (self-hosted mode), or DynamoDB, SQS, Secrets
/// Manager and S3 Vectors (AWS mode, `SWITCHBOARD_BACKEND=aws`).
struct Backend {
    let name: String
    let ports: GatewayPorts
    /// Services that must run while the ports are used (the PostgreSQL pool, the Kafka client, the provider
    /// secrets' refresher).
    let services: [any Service]
    /// Provider keys fetched after start-up (AWS mode), for the providers' credential resolver.
    let credentialOverlay: CredentialOverlay?
    /// AWS mode: provider secrets, refreshed before each Lambda invocation.
    let providerSecrets: ProviderSecrets?
    let close: @Sendable () async -> Void

    static func open(
        config: GatewayConfig, settings: SelfHostedSettings, service: InternalService?,
        environment: [String: String], logger: Logger
    ) async throws -> Backend {
        if ProcessBootstrap.usesAWS(environment) {
            let store: AWSStore
            let vectors: any VectorStore
            do {
                store = try ProcessBootstrap.aws(environment: environment, logger: logger)
                vectors = try ProcessBootstrap.awsVectors(
                    config: config, store: store, needed: service == .rag, environment: environment, logger: logger)
            } catch let error as BootstrapError {
                throw ValidationError(error.description)
            }
            let overlay = CredentialOverlay()
            let secrets = store.providerSecrets(environment: environment, overlay: overlay)
            await secrets.refresh()
            return Backend(
                name: "aws", ports: store.ports(vectors: vectors), services: [secrets], credentialOverlay: overlay,
                providerSecrets: secrets, close: { try? await store.httpClient.shutdown() })
        }
        #if SWITCHBOARD_KAFKA
            return try await selfHosted(config: config, settings: settings, logger: logger)
        #else
            throw ValidationError(
                "this build has no Kafka support (built with SWITCHBOARD_NO_KAFKA for AWS Lambda): set SWITCHBOARD_BACKEND=aws"
            )
        #endif
    }

    #if SWITCHBOARD_KAFKA
        /// Self-hosted mode: PostgreSQL (migrated at start-up) and Kafka.
        static func selfHosted(
            config: GatewayConfig, settings: SelfHostedSettings, logger: Logger
        ) async throws -> Backend {
            guard let url = settings.postgresURL else { throw ValidationError("SWITCHBOARD_POSTGRES_URL is not set") }
            guard let kafka = config.kafka else {
                throw ValidationError(
                    "SWITCHBOARD_KAFKA_BROKERS is not set (or kafka.brokers in the configuration file)")
            }
            let postgresConfiguration: PostgresConfiguration
            do {
                postgresConfiguration = try PostgresConfiguration(url: url, poolSize: settings.postgresPoolSize)
            } catch {
                throw ValidationError("SWITCHBOARD_POSTGRES_URL: \(error.description)")
            }
            let (store, pool) = try await ProcessBootstrap.postgres(postgresConfiguration, logger: logger)
            let queue = try KafkaQueue(settings: kafka, logger: logger)
            return Backend(
                name: "postgres+kafka (\(postgresConfiguration))", ports: store.ports(queue: queue),
                services: [pool, queue], credentialOverlay: nil, providerSecrets: nil, close: {})
        }
    #endif
}
