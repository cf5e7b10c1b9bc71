import GatewayCore
import GatewaySchema
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// The embedded vector index: chunks persist in the SQLite file (table `rag_chunks`, vectors as little-endian
/// Float32 BLOBs) and are searched exactly, by brute-force cosine over an in-memory copy of each namespace.
///
/// A namespace is read from SQLite once, on its first query, into an `ExactVectorIndex` (a contiguous matrix
/// of normalised vectors); writes go to SQLite first and then edit the loaded index in place, so queries never
/// read SQLite again. Writes and first loads take one lock in turn: a replacement is a transaction on this
/// store's own connection (so it never takes in statements of the other stores, which share another
/// connection), and it reaches the index in the order it committed. The index assumes this process is the only
/// writer of `rag_chunks`, as in embedded mode.
public final class SQLiteVectorStore: VectorStore {
    let connection: SQLiteConnection
    let logger: Logger
    /// Serialises transactions on `connection` and the loading of indexes.
    let writes = AsyncLock()
    /// Loaded namespaces. A namespace without rows when it was first queried is not kept.
    let indexes: Mutex<[VectorNamespace: ExactVectorIndex]> = Mutex([:])

    /// Rows per multi-row INSERT: 8 parameters a row stays far under SQLite's limit of 32766.
    static let insertBatch = 500

    /// Opens a connection of its own to the (migrated) file at `path`; `SQLiteStore.vectorStore()` is the usual
    /// way in.
    ///
    /// The connection runs on a thread of its own. Its transactions span awaits, and while one is open the other
    /// connection's writers wait for the lock inside SQLite (`busy_timeout`), each holding a thread of the pool
    /// it runs on. Sharing that pool, two such waiters (the audit consumer, the queue, quota saving) could take
    /// every thread, so the transaction's next statement never ran: the ingestion stalled and the waiters failed
    /// with "database is locked" after 10 s, again and again.
    static func open(path: String, logger: Logger) async throws -> SQLiteVectorStore {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: thread, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
        } catch {
            try? await thread.shutdownGracefully()
            throw error
        }
        do {
            try await connection.query("PRAGMA busy_timeout = 10000", []) { _ in }
            try await connection.query("PRAGMA synchronous = NORMAL", []) { _ in }
        } catch {
            try? await connection.close()
            try? await thread.shutdownGracefully()
            throw error
        }
        return SQLiteVectorStore(connection: connection, thread: thread, logger: logger)
    }

    let thread: NIOThreadPool

    init(connection: SQLiteConnection, thread: NIOThreadPool, logger: Logger) {
        self.connection = connection
        self.thread = thread
        self.logger = logger
    }

    /// Closes the store's connection; it must not be used afterwards.
    public func close() async {
        await writes.withLock { try? await connection.close() }
        try? await thread.shutdownGracefully()
    }

    // MARK: VectorStore

    public func replaceDocument(_ key: String, with chunks: [VectorChunk], in namespace: VectorNamespace) async throws {
        let dimension = chunks.first?.vector.count
        if let dimension, let other = chunks.first(where: { $0.vector.count != dimension }) {
            throw VectorStoreError.dimensionMismatch(expected: dimension, got: other.vector.count)
        }
        try await writes.withLock {
            try await execute("BEGIN IMMEDIATE")
            do {
                if let dimension, let stored = try await storedDimension(of: namespace), stored != dimension {
                    throw VectorStoreError.dimensionMismatch(expected: stored, got: dimension)
                }
                try await execute(
                    "DELETE FROM rag_chunks WHERE tenant = ? AND index_name = ? AND document_key = ?",
                    [.text(namespace.tenant), .text(namespace.index), .text(key)])
                for start in stride(from: 0, to: chunks.count, by: Self.insertBatch) {
                    try await insert(chunks[start..<min(start + Self.insertBatch, chunks.count)], key, namespace)
                }
                try await execute("COMMIT")
            } catch {
                try? await execute("ROLLBACK")
                throw error
            }
            await loadedIndex(namespace)?.replaceDocument(key, with: chunks)
        }
    }

    public func deleteDocument(_ key: String, in namespace: VectorNamespace) async throws -> Bool {
        try await writes.withLock {
            let deleted = try await rows(
                """
                DELETE FROM rag_chunks WHERE tenant = ? AND index_name = ? AND document_key = ?
                RETURNING chunk_index
                """,
                [.text(namespace.tenant), .text(namespace.index), .text(key)])
            await loadedIndex(namespace)?.removeDocument(key)
            return !deleted.isEmpty
        }
    }

    public func query(
        _ vector: [Float], topK: Int, filter: MetadataFilter?, in namespace: VectorNamespace
    ) async throws -> [VectorMatch] {
        guard let index = try await index(of: namespace) else { return [] }
        // A scan is CPU-bound work: on Swift's pool, never on an event loop a request's task may prefer.
        return try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try await index.nearest(to: vector, topK: topK, filter: filter)
        }
    }

    public func dimension(of namespace: VectorNamespace) async throws -> Int? {
        if let index = loadedIndex(namespace) { return await index.dimension }
        return try await writes.withLock { try await storedDimension(of: namespace) }
    }

    // MARK: Indexes

    func loadedIndex(_ namespace: VectorNamespace) -> ExactVectorIndex? {
        indexes.withLock { $0[namespace] }
    }

    /// The namespace's index, read from SQLite when this is its first use; nil when it holds no rows.
    func index(of namespace: VectorNamespace) async throws -> ExactVectorIndex? {
        if let index = loadedIndex(namespace) { return index }
        return try await writes.withLock {
            if let index = loadedIndex(namespace) { return index }
            guard let rows = try await load(namespace) else { return nil }
            let index = ExactVectorIndex(rows: rows)
            indexes.withLock { $0[namespace] = index }
            return index
        }
    }

    /// Every row of the namespace, decoded and normalised in one pass over the SELECT (no intermediate copies).
    func load(_ namespace: VectorNamespace) async throws -> VectorRows? {
        let binds: [SQLiteData] = [.text(namespace.tenant), .text(namespace.index)]
        let count =
            try await rows(
                "SELECT COUNT(*) AS n FROM rag_chunks WHERE tenant = ? AND index_name = ?", binds
            ).first?.column("n")?.integer ?? 0
        // Every row is checked against this dimension as it is decoded.
        guard count > 0, let dimension = try await storedDimension(of: namespace) else { return nil }
        let started = ContinuousClock.now
        struct Loading {
            var rows: VectorRows
            var failure: CorruptChunk?
        }
        let loading = Mutex(Loading(rows: VectorRows(dimension: dimension, reservingRows: count)))
        try await connection.query(
            """
            SELECT document_key, chunk_index, text, metadata, vector FROM rag_chunks
            WHERE tenant = ? AND index_name = ?
            """, binds
        ) { row in
            loading.withLock { loading in
                guard loading.failure == nil else { return }
                guard let key = row.column("document_key")?.string, let chunk = row.column("chunk_index")?.integer,
                    let text = row.column("text")?.string, let blob = row.column("vector")?.blob,
                    let metadataText = row.column("metadata")?.string,
                    let metadata = (try? JSONParser.parse(metadataText))?.objectValue
                else {
                    loading.failure = CorruptChunk(namespace, "unreadable row")
                    return
                }
                let decoded = loading.rows.appendRow(
                    documentKey: key, chunkIndex: chunk, text: text, metadata: metadata
                ) { VectorBlob.decode(blob, into: $0) }
                if !decoded {
                    loading.failure = CorruptChunk(namespace, "vector of \(key)#\(chunk) is not \(dimension) floats")
                }
            }
        }
        let loaded = loading.withLock { loading -> Result<VectorRows, CorruptChunk> in
            if let failure = loading.failure { return .failure(failure) }
            defer { loading.rows = VectorRows() }
            return .success(loading.rows)
        }
        logger.debug(
            "loaded vector index",
            metadata: [
                "namespace": "\(namespace)", "chunks": "\(count)", "elapsed": "\(ContinuousClock.now - started)",
            ])
        return try loaded.get()
    }

    /// A row of `rag_chunks` this store cannot read back (written by something else, or damaged).
    struct CorruptChunk: Error, CustomStringConvertible {
        var namespace: VectorNamespace
        var problem: String
        init(_ namespace: VectorNamespace, _ problem: String) {
            self.namespace = namespace
            self.problem = problem
        }
        var description: String { "vector index \(namespace): \(problem)" }
    }

    // MARK: SQL

    func storedDimension(of namespace: VectorNamespace) async throws -> Int? {
        try await rows(
            "SELECT dimension FROM rag_chunks WHERE tenant = ? AND index_name = ? LIMIT 1",
            [.text(namespace.tenant), .text(namespace.index)]
        ).first?.column("dimension")?.integer
    }

    func insert(_ chunks: ArraySlice<VectorChunk>, _ key: String, _ namespace: VectorNamespace) async throws {
        guard !chunks.isEmpty else { return }
        var sql = """
            INSERT INTO rag_chunks (tenant, index_name, document_key, chunk_index, dimension, text, metadata, vector)
            VALUES
            """
        var binds: [SQLiteData] = []
        binds.reserveCapacity(chunks.count * 8)
        for (position, chunk) in chunks.enumerated() {
            sql += position == 0 ? " (?,?,?,?,?,?,?,?)" : ", (?,?,?,?,?,?,?,?)"
            binds += [
                .text(namespace.tenant), .text(namespace.index), .text(key), .integer(chunk.chunkIndex),
                .integer(chunk.vector.count), .text(chunk.text), .text(JSONValue.object(chunk.metadata).jsonString),
                .blob(VectorBlob.encode(chunk.vector)),
            ]
        }
        try await execute(sql, binds)
    }

    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        try await connection.query(sql, binds) { _ in }
    }

    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let collected: Mutex<[SQLiteRow]> = Mutex([])
        try await connection.query(sql, binds) { row in collected.withLock { $0.append(row) } }
        return collected.withLock { $0 }
    }
}
