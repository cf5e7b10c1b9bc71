import Logging
import PostgresNIO
import ServiceLifecycle

/// The self-hosted mode's PostgreSQL database: a pooled `PostgresClient` that the backends over it share, and
/// the schema's migrations.
///
/// It is a `Service`: its `run()` runs the pool and must be running (in the application's `ServiceGroup`, or
/// a task in tests) for as long as the store is used; a graceful shutdown closes the connections. Call
/// `migrate()` once it runs and before the first use of a backend.
public final class PostgresStore: Service, Sendable {
    public let configuration: PostgresConfiguration
    let client: PostgresClient
    let logger: Logger

    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        logger.info("postgres pool started", metadata: ["database": "\(configuration)"])
        await client.run()
    }

    /// Applies the migrations this database has not had yet (see `PostgresMigrations`).
    public func migrate() async throws {
        try await PostgresMigrations.apply(PostgresMigrations.all, to: self)
    }

    /// Runs one statement and discards its rows.
    func execute(_ query: PostgresQuery) async throws {
        try await client.query(query, logger: logger)
    }

    /// Runs `body` on one connection inside `BEGIN` … `COMMIT`, rolling back when it throws; the error `body`
    /// threw is rethrown as it is (postgres-nio's own `withTransaction` wraps it).
    func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                do {
                    try await connection.query("ROLLBACK", logger: logger)
                } catch {
                    logger.warning("rollback failed", metadata: ["error": "\(String(describing: error))"])
                }
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }
}

/// The advisory-lock keys (the single 64-bit key space) of the schema's writers; the two-key space is left to
/// per-row locks such as `PostgresVectorStore`'s per-namespace lock.
enum PostgresLockKey {
    /// Held while migrating ("SWBD" "MIGR").
    static let migrations: Int64 = 0x5357_4244_4D49_4752
    /// Held while creating a per-dimension vector index ("SWBD" "VIDX").
    static let vectorIndex: Int64 = 0x5357_4244_5649_4458
}
