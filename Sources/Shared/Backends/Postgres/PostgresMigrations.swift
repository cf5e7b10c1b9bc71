import Logging
import PostgresNIO

/// One versioned schema change: statements applied together, in one transaction, once per database.
struct PostgresMigration: Sendable {
    var version: Int
    var statements: [String]
}

/// The schema's migrations, applied in order once each, recorded in `schema_migrations`.
///
/// Each runs in its own transaction holding the advisory lock `PostgresLockKey.migrations`, and checks
/// `schema_migrations` only once it holds the lock; so several processes starting together apply each
/// migration exactly once, the others waiting and then finding it done. A failing migration rolls back as a
/// whole and leaves the earlier ones applied.
enum PostgresMigrations {
    static let all: [PostgresMigration] = [
        PostgresMigration(version: 1, statements: ["CREATE EXTENSION IF NOT EXISTS vector"] + PostgresRAGSchema.tables),
        PostgresMigration(version: 2, statements: PostgresGatewaySchema.tables),
        PostgresMigration(version: 3, statements: [PostgresGatewaySchema.quotaConsumeBatch]),
    ]

    static func apply(_ migrations: [PostgresMigration], to store: PostgresStore) async throws {
        try await store.transaction { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(PostgresLockKey.migrations))", logger: store.logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """,
                logger: store.logger)
        }
        for migration in migrations {
            let applied = try await store.transaction { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(PostgresLockKey.migrations))", logger: store.logger)
                let done = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", logger: store.logger
                ).collect()
                guard done.isEmpty else { return false }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: store.logger)
                return true
            }
            if applied { store.logger.info("applied migration", metadata: ["version": "\(migration.version)"]) }
        }
    }
}
