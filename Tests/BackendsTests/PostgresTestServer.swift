import Foundation
import Logging
import PostgresNIO

@testable import GatewayPostgres

/// The PostgreSQL server of the tests: `SWITCHBOARD_TEST_POSTGRES_URL` (e.g.
/// `postgres://postgres@127.0.0.1:55432/switchboard_test`, what `scripts/postgres start` prints); tests that
/// need it are skipped when it is unset.
enum PostgresTestServer {
    static var url: String? {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func configuration(database: String? = nil) throws -> PostgresConfiguration {
        guard let url else { throw MissingServer() }
        var configuration = try PostgresConfiguration(url: url, poolSize: 4)
        if let database { configuration.database = database }
        return configuration
    }

    /// A running, migrated store and the function that stops it.
    static func start(database: String? = nil) async throws -> (PostgresStore, @Sendable () async -> Void) {
        let (store, stop) = try running(configuration(database: database))
        do {
            try await store.migrate()
        } catch {
            await stop()
            throw error
        }
        return (store, stop)
    }

    /// A running, migrated store over a database created for it (`switchboard_t_` and random hex), and the
    /// function that stops it and drops the database; for suites that need empty tables.
    static func startInFreshDatabase() async throws -> (PostgresStore, @Sendable () async -> Void) {
        let database = "switchboard_t_\(UUID().uuidString.prefix(12).lowercased().filter(\.isHexDigit))"
        try await administer("CREATE DATABASE \(database)")
        let (store, stop) = try await start(database: database)
        return (
            store,
            {
                await stop()
                try? await administer("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            }
        )
    }

    /// Runs one statement (made of fixed text and generated names only) on the test server's own database.
    static func administer(_ statement: String) async throws {
        let (admin, stop) = running(try configuration())
        do {
            try await admin.execute(PostgresQuery(unsafeSQL: statement))
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// A running store (its pool's `run()` in a task), not yet migrated.
    static func running(_ configuration: PostgresConfiguration) -> (PostgresStore, @Sendable () async -> Void) {
        var logger = Logger(label: "test.postgres")
        // Quiet: PostgresNIO warns when a lease races the pool's `run()` starting in its task (it waits).
        logger.logLevel = .error
        let store = PostgresStore(configuration: configuration, logger: logger)
        let task = Task { try await store.run() }
        return (
            store,
            {
                task.cancel()
                _ = await task.result
            }
        )
    }

    struct MissingServer: Error {}
}
