import AsyncHTTPClient
import GatewayAWS
import GatewayAWSBackends
import GatewayBackends
import GatewayCore
import GatewayPostgres
import Logging
import ServiceLifecycle

/// Opens the RAG vector store the configuration names (`rag.store`), with the services that must run while it
/// is used (the PostgreSQL pool) and what to close at exit (the S3 Vectors HTTP client).
public enum VectorStores {
    public struct Opened: Sendable {
        public var store: any VectorStore
        public var services: [any Service]
        public var close: @Sendable () async -> Void
    }

    public static func open(
        _ config: GatewayConfig, sqlite: SQLiteStore, logger: Logger
    ) async throws -> Opened {
        switch config.ragStore {
        case .sqlite:
            let store = try await sqlite.vectorStore()
            return Opened(store: store, services: [], close: { await store.close() })
        case .memory:
            return Opened(store: MemoryVectorStore(), services: [], close: {})
        case .postgres(let url):
            let (store, pool) = try await ProcessBootstrap.postgres(
                try PostgresConfiguration(url: url), logger: logger, patience: .zero)
            return Opened(store: PostgresVectorStore(store: store), services: [pool], close: {})
        case .s3vectors(let bucket, let region, let baseURL):
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = S3VectorsClient(
                region: region.map(AWSRegion.init) ?? AWSRegion.fromEnvironment(config.environment)
                    ?? AWSRegion("us-east-1"),
                baseURL: baseURL,
                credentials: AWSCredentialChain.standard(environment: config.environment, httpClient: http),
                httpClient: http, logger: logger)
            let store = S3VectorsStore(client: client, bucket: bucket)
            do {
                try await store.prepareBucket()
            } catch {
                try? await http.shutdown()
                throw error
            }
            return Opened(store: store, services: [], close: { try? await http.shutdown() })
        }
    }
}

/// A task started before the service group (so that start-up could wait on it), run as a service: it is
/// cancelled on graceful shutdown.
public struct RunningTask: Service {
    let task: Task<Void, any Error>

    init(_ task: Task<Void, any Error>) { self.task = task }

    /// Stops the task when no service group runs it (one-shot commands).
    public func cancel() { task.cancel() }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                _ = await task.result
            } onCancel: {
                task.cancel()
            }
        }
    }
}
