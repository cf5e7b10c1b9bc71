import Foundation
import GatewayCore
import GatewaySchema
import PostgresNIO
import TestSupport
import Testing

@testable import GatewayPostgres

@Suite struct PostgresConfigurationTests {
    @Test func aURLIsParsedAndItsPasswordNeverShown() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://switchboard:s3cr%40t@db.internal:6543/gateway?sslmode=require", poolSize: 7)
        #expect(configuration.host == "db.internal" && configuration.port == 6543)
        #expect(configuration.username == "switchboard" && configuration.password == "s3cr@t")
        #expect(configuration.database == "gateway" && configuration.tls == .require && configuration.poolSize == 7)
        #expect(!configuration.description.contains("s3cr"))
        #expect(configuration.description == "postgres://switchboard:***@db.internal:6543/gateway?sslmode=require")

        let local = try PostgresConfiguration(url: "postgres://postgres@127.0.0.1/switchboard_test")
        #expect(local.port == 5432 && local.password == nil && local.tls == .prefer)
    }

    @Test func badURLsAreRejectedWithoutQuotingThem() {
        for url in [
            "mysql://user:hunter2@host/db", "postgres://:hunter2@host/db", "postgres:///db",
            "postgres://user:hunter2@host/db?sslmode=sometimes",
        ] {
            #expect(throws: PostgresConfiguration.InvalidURL.self) { try PostgresConfiguration(url: url) }
            do {
                _ = try PostgresConfiguration(url: url)
            } catch {
                #expect(!error.description.contains("hunter2"))
            }
        }
    }
}

@Suite struct PostgresMetadataFilterSQLTests {
    @Test func fieldNamesAndValuesAreBoundNeverWrittenIntoTheStatement() throws {
        let filter = try MetadataFilter.parse([
            "'; DROP TABLE rag_chunks; --": "x' OR '1'='1",
            "year": ["$gte": 2020, "$lt": 2025],
            "$or": [["lang": ["$in": ["en", "de"]]], ["draft": ["$exists": false]]],
        ])
        var sql = PostgresSQL()
        let condition = PostgresMetadataFilter.condition(filter, column: "metadata", into: &sql)
        for literal in ["DROP", "x'", "year", "2020", "2025", "lang", "\"en\"", "draft"] {
            #expect(!condition.contains(literal), "\(literal)")
        }
        #expect(sql.bindings.count == 9)
        #expect(condition.contains("metadata -> $1"))
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresStoreTests {
    @Test func storesMigratingTogetherBothSucceedAndApplyEachMigrationOnce() async throws {
        let (admin, stopAdmin) = PostgresTestServer.running(try PostgresTestServer.configuration())
        let database = "switchboard_migrate_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))

        // The real migrations plus a probe whose second application would leave two rows.
        let migrations =
            PostgresMigrations.all + [
                PostgresMigration(
                    version: 1000,
                    statements: [
                        "CREATE TABLE IF NOT EXISTS migration_probe (n integer)", "SELECT pg_sleep(0.2)",
                        "INSERT INTO migration_probe VALUES (1)",
                    ])
            ]
        let configuration = try PostgresTestServer.configuration(database: database)
        let (first, stopFirst) = PostgresTestServer.running(configuration)
        let (second, stopSecond) = PostgresTestServer.running(configuration)
        async let one: Void = PostgresMigrations.apply(migrations, to: first)
        async let two: Void = PostgresMigrations.apply(migrations, to: second)
        var failures: [String] = []
        do { try await one } catch { failures.append(String(reflecting: error)) }
        do { try await two } catch { failures.append(String(reflecting: error)) }
        try await PostgresMigrations.apply(migrations, to: first)  // and again, later: nothing to do

        var versions: [Int] = []
        for try await version in try await first.client.query("SELECT version FROM schema_migrations ORDER BY version")
            .decode(Int.self)
        {
            versions.append(version)
        }
        var probes = 0
        for try await count in try await first.client.query("SELECT count(*) FROM migration_probe").decode(Int.self) {
            probes = count
        }
        var extensions = 0
        for try await count in try await first.client.query(
            "SELECT count(*) FROM pg_extension WHERE extname = 'vector'"
        ).decode(Int.self) {
            extensions = count
        }
        await stopFirst()
        await stopSecond()
        try await admin.execute(PostgresQuery(unsafeSQL: "DROP DATABASE \(database) WITH (FORCE)"))
        await stopAdmin()

        #expect(failures.isEmpty, "\(failures)")
        #expect(versions == migrations.map(\.version))
        #expect(probes == 1)
        #expect(extensions == 1)
    }
}

/// `quota_consume_batch` commits asynchronously (its row locks are not held across a WAL flush), and only its own
/// transaction: the request log and everything else on the connection still commit synchronously.
@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresQuotaCommitTests {
    @Test func onlyTheQuotaStepCommitsWithoutWaitingForTheDisk() async throws {
        let (store, teardown) = try await PostgresTestServer.startInFreshDatabase()
        defer { Task { await teardown() } }
        let settings = try await store.client.withConnection { connection in
            func setting() async throws -> String {
                var value = ""
                for try await row in try await connection.query("SHOW synchronous_commit", logger: store.logger)
                    .decode(String.self)
                {
                    value = row
                }
                return value
            }
            // The test server turns it off for all; a production server has it on.
            try await connection.query("SET synchronous_commit = on", logger: store.logger)
            let before = try await setting()
            try await connection.query("BEGIN", logger: store.logger)
            try await connection.query(
                "SELECT quota_consume_batch(ARRAY['tenant:t:rpm@0'], ARRAY[60::bigint], ARRAY[5::bigint], 1, 1)",
                logger: store.logger)
            let during = try await setting()
            try await connection.query("COMMIT", logger: store.logger)
            let after = try await setting()
            try await connection.query("RESET synchronous_commit", logger: store.logger)
            return [before, during, after]
        }
        #expect(settings == ["on", "off", "on"])
        // And the count it made is there.
        let decision = try await PostgresQuotaStore(store: store).consume(
            [QuotaCheck(scope: "tenant:t:rpm", limit: 5, window: .minute)], units: 0,
            now: Date(timeIntervalSince1970: 30))
        #expect(decision.counters.first?.used == 1)
    }
}

/// `quota_consume_batch` admits and counts what `QuotaBatch.admitted` computes (the rule the batch tests hold to
/// `MemoryQuotaStore`'s one-after-another decisions).
@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresQuotaBatchTests {
    @Test func theStatementAdmitsAndCountsAsQuotaBatch() async throws {
        let (store, teardown) = try await PostgresTestServer.startInFreshDatabase()
        defer { Task { await teardown() } }
        var random = SplitMix64(seed: 42)
        for round in 0..<60 {
            let limits = (0..<Int(random.next() % 3 + 1)).map { _ in Int(random.next() % 12) }
            let counts = limits.map { _ in Int(random.next() % 10) }
            let units = Int(random.next() % 4)
            let size = Int(random.next() % 8 + 1)
            let keys = limits.indices.map { "r\(round):c\($0)@0" }
            let expires = keys.map { _ in 9_999_999_999 }
            for (key, count) in zip(keys, counts) {
                try await store.execute(
                    "INSERT INTO quota_counters (counter_key, count, expires_at) VALUES (\(key), \(count), 9999999999)")
            }
            let step = PostgresQuotaStore.Step(keys: keys, expires: expires, limits: limits, units: units)
            let (before, admitted) = try await step.run(size: size, on: store)
            #expect(before == counts, "round \(round)")
            #expect(
                admitted == QuotaBatch.admitted(countsBefore: counts, limits: limits, units: units, size: size),
                "round \(round)")
            // Counted: units for each admitted request, on every counter.
            let probe = PostgresQuotaStore.Step(keys: keys, expires: expires, limits: keys.map { _ in .max }, units: 0)
            let (after, _) = try await probe.run(size: 1, on: store)
            #expect(after == counts.map { $0 + units * admitted }, "round \(round)")
        }
    }
}
