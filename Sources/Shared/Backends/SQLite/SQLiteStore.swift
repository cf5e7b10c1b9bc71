import GatewayCore
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The embedded mode's one SQLite file (WAL mode): keys, live routes, the durable queue, the request log, stored
/// responses and the RAG vector index.
///
/// Every store uses single statements (each atomic in SQLite), so one connection can serve concurrent callers
/// without interleaved transactions. WAL with `synchronous=NORMAL`: a committed write survives a process
/// crash; only an operating-system crash or power loss can lose the last commits.
public final class SQLiteStore: Sendable {
    public let path: String
    let connection: SQLiteConnection
    let logger: Logger

    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let store = SQLiteStore(path: path, connection: connection, logger: logger)
        try await store.execute("PRAGMA busy_timeout = 10000")
        try await store.execute("PRAGMA journal_mode = WAL")
        try await store.execute("PRAGMA synchronous = NORMAL")
        try await store.execute("PRAGMA foreign_keys = ON")
        try await SQLiteMigrations.apply(to: store)
        return store
    }

    init(path: String, connection: SQLiteConnection, logger: Logger) {
        self.path = path
        self.connection = connection
        self.logger = logger
    }

    public func close() async {
        try? await connection.close()
    }

    public func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        try await connection.query(sql, binds) { _ in }
    }

    public func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let collected: Mutex<[SQLiteRow]> = Mutex([])
        try await connection.query(sql, binds) { row in collected.withLock { $0.append(row) } }
        return collected.withLock { $0 }
    }

    /// The embedded backends over this file.
    /// The ports over this file. `vectors` is the RAG vector store (default: exact search in memory, not
    /// persisted).
    public func ports(
        quotas: any QuotaStore = MemoryQuotaStore(), vectors: any VectorStore = MemoryVectorStore()
    ) -> GatewayPorts {
        GatewayPorts(
            keys: SQLiteAPIKeyStore(store: self), quotas: quotas, routes: SQLiteRouteStore(store: self),
            queue: SQLiteQueue(store: self), requestLog: SQLiteRequestLog(store: self),
            responses: SQLiteResponseStore(store: self), vectors: vectors, ragJobs: SQLiteRAGJobStore(store: self))
    }

    /// The embedded vector index over this file, on a connection of its own (its writes are transactions, which
    /// must not take in the other stores' statements). Close it before closing this store.
    public func vectorStore() async throws -> SQLiteVectorStore {
        try await SQLiteVectorStore.open(path: path, logger: logger)
    }
}

/// Versioned schema changes, applied in order once each, at start-up and by `switchboard migrate`.
enum SQLiteMigrations {
    static let all: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE api_keys (
                    hash TEXT PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, label TEXT NOT NULL,
                    status TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL, models TEXT,
                    rpm INTEGER, rpd INTEGER)
                """,
                "CREATE INDEX api_keys_tenant ON api_keys (tenant)",
                "CREATE TABLE routes (alias TEXT PRIMARY KEY, definition TEXT NOT NULL, updated_at REAL NOT NULL)",
                """
                CREATE TABLE queue (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL,
                    deliveries INTEGER NOT NULL DEFAULT 0, visible_at REAL NOT NULL DEFAULT 0)
                """,
                "CREATE INDEX queue_topic_visible ON queue (topic, visible_at, id)",
                """
                CREATE TABLE request_log (
                    request_id TEXT PRIMARY KEY, ts REAL NOT NULL, tenant TEXT, key_id TEXT, alias TEXT,
                    provider TEXT, provider_model TEXT, outcome TEXT NOT NULL, http_status INTEGER NOT NULL,
                    prompt_tokens INTEGER, completion_tokens INTEGER, event TEXT NOT NULL)
                """,
                "CREATE INDEX request_log_ts ON request_log (ts)",
                "CREATE INDEX request_log_tenant_ts ON request_log (tenant, ts)",
            ]
        ),
        (
            2,
            [
                """
                CREATE TABLE quota_counters (
                    counter_key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at INTEGER NOT NULL)
                """
            ]
        ),
        (
            3,
            [
                """
                CREATE TABLE responses (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, created_at REAL NOT NULL, response TEXT NOT NULL,
                    conversation TEXT NOT NULL)
                """,
                "CREATE INDEX responses_tenant_created ON responses (tenant, created_at)",
            ]
        ),
        (
            4,
            [
                // Billing: what usage reports aggregate, as columns; existing rows are filled from their events
                // (their cost stays unknown: they were written before requests were priced).
                "ALTER TABLE request_log ADD COLUMN method TEXT",
                "ALTER TABLE request_log ADD COLUMN key_label TEXT",
                "ALTER TABLE request_log ADD COLUMN cached_tokens INTEGER",
                "ALTER TABLE request_log ADD COLUMN cost_pico INTEGER",
                """
                UPDATE request_log SET method = json_extract(event, '$.method'),
                    key_label = json_extract(event, '$.key_label'), cached_tokens = json_extract(event, '$.cached_tokens')
                """,
                "ALTER TABLE api_keys ADD COLUMN admin INTEGER NOT NULL DEFAULT 0",
            ]
        ),
        (
            5,
            [
                // RAG: the embedded vector index (`SQLiteVectorStore`); vectors are little-endian Float32 BLOBs. The BLOB is
                // the last column, so reading the others never walks its overflow pages.
                """
                CREATE TABLE rag_chunks (
                    tenant TEXT NOT NULL, index_name TEXT NOT NULL, document_key TEXT NOT NULL,
                    chunk_index INTEGER NOT NULL, dimension INTEGER NOT NULL, text TEXT NOT NULL,
                    metadata TEXT NOT NULL, vector BLOB NOT NULL,
                    PRIMARY KEY (tenant, index_name, document_key, chunk_index))
                """
            ]
        ),
        (
            6,
            [
                """
                CREATE TABLE rag_jobs (
                    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, job TEXT NOT NULL, updated_at REAL NOT NULL)
                """
            ]
        ),
    ]

    static func apply(to store: SQLiteStore) async throws {
        try await store.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        for migration in all {
            // BEGIN IMMEDIATE takes the write lock, so two processes starting together apply each migration once.
            try await store.execute("BEGIN IMMEDIATE")
            do {
                let done = try await store.rows(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", [.integer(migration.version)])
                if done.isEmpty {
                    for statement in migration.statements { try await store.execute(statement) }
                    try await store.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        [.integer(migration.version), .float(Date().timeIntervalSince1970)])
                    store.logger.info("applied migration", metadata: ["version": "\(migration.version)"])
                }
                try await store.execute("COMMIT")
            } catch {
                try? await store.execute("ROLLBACK")
                throw error
            }
        }
    }
}

extension SQLiteData {
    init(optional text: String?) { self = text.map(SQLiteData.text) ?? .null }
    init(optional int: Int?) { self = int.map { .integer(numericCast($0)) } ?? .null }
    init(optional double: Double?) { self = double.map(SQLiteData.float) ?? .null }
    var optionalInt: Int? {
        if case .integer(let value) = self { return Int(value) }
        return nil
    }
}
