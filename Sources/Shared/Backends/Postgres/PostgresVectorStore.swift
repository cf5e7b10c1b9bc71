import GatewayCore
import GatewaySchema
import Logging
import PostgresNIO
import Synchronization

/// Vectors in PostgreSQL with pgvector: cosine search through HNSW indexes.
///
/// **One table, one index per dimension.** Every namespace's chunks live in `rag_chunks` with an untyped
/// `embedding vector` and its length in `dimension` (a check constraint keeps them equal). An HNSW index
/// needs a fixed dimension, so the first write of a dimension creates a partial expression index for it:
///
///     CREATE INDEX rag_chunks_hnsw_<d> ON rag_chunks
///         USING hnsw ((embedding::vector(<d>)) vector_cosine_ops) WHERE dimension = <d>
///
/// and queries use the same expression and predicate (`embedding::vector(<d>) <=> $1::vector(<d>)`,
/// `WHERE dimension = <d>`), so the planner can choose it. `<d>` is the only value written into statements:
/// an integer, the length of the caller's vector. pgvector indexes `vector` up to 2,000 dimensions; larger
/// vectors are stored and searched exactly, without an index.
///
/// **Queries** run in a transaction with `hnsw.iterative_scan = relaxed_order` and a raised `hnsw.ef_search`,
/// so a filter that rejects many neighbours still yields `topK` rows; the relaxed order is restored by
/// sorting the candidates again (`ORDER BY distance, document_key, chunk_index`). The index spans every
/// namespace of a dimension; for a namespace holding few rows the planner prefers the primary key and
/// searches exactly. Filters compile to SQL over `metadata` (`PostgresMetadataFilter`).
///
/// **Writes** (`replaceDocument`) hold a per-namespace advisory lock (`pg_advisory_xact_lock(hashtext(tenant),
/// hashtext(index))`), so concurrent writers cannot give one namespace two dimensions or collide on a
/// document's rows; readers never wait for it. Metadata is stored as `jsonb`, so it comes back with its keys
/// in `jsonb`'s order and numbers in their decimal form. A zero vector has no cosine direction: its distance
/// is reported as 1, as `CosineDistance` does.
public final class PostgresVectorStore: VectorStore {
    let store: PostgresStore
    /// The HNSW candidate list size for queries (at least `topK`; pgvector allows up to 1,000).
    let efSearch: Int
    /// Dimensions whose index this process has seen to exist.
    let indexedDimensions: Mutex<Set<Int>> = Mutex([])

    /// The largest dimension pgvector's HNSW indexes accept for `vector`.
    static let maxIndexedDimension = 2000

    public init(store: PostgresStore, efSearch: Int = 100) {
        self.store = store
        self.efSearch = efSearch
    }

    public func replaceDocument(_ key: String, with chunks: [VectorChunk], in namespace: VectorNamespace) async throws {
        let dimension = chunks.first?.vector.count
        if let dimension {
            if let other = chunks.first(where: { $0.vector.count != dimension }) {
                throw VectorStoreError.dimensionMismatch(expected: dimension, got: other.vector.count)
            }
            try await ensureIndex(dimension)
        }
        let logger = store.logger
        try await store.transaction { connection in
            try await connection.query(
                """
                SELECT pg_advisory_xact_lock(hashtext(\(namespace.tenant)), hashtext(\(namespace.index)))
                """,
                logger: logger)
            if let dimension {
                let existing = try await Self.dimension(of: namespace, on: connection, logger: logger)
                if let existing, existing != dimension {
                    throw VectorStoreError.dimensionMismatch(expected: existing, got: dimension)
                }
            }
            try await connection.query(
                """
                DELETE FROM rag_chunks
                WHERE tenant = \(namespace.tenant) AND index_name = \(namespace.index) AND document_key = \(key)
                """,
                logger: logger)
            guard let dimension else { return }
            try await connection.query(
                """
                INSERT INTO rag_chunks (tenant, index_name, document_key, chunk_index, text, metadata, dimension, embedding)
                SELECT \(namespace.tenant), \(namespace.index), \(key), c.chunk_index, c.text, c.metadata::jsonb,
                    \(dimension), c.embedding::vector
                FROM unnest(
                    \(chunks.map(\.chunkIndex))::bigint[], \(chunks.map(\.text))::text[],
                    \(chunks.map { JSONValue.object($0.metadata).jsonString })::text[],
                    \(chunks.map { Self.literal($0.vector) })::text[]
                ) AS c (chunk_index, text, metadata, embedding)
                """,
                logger: logger)
        }
    }

    public func deleteDocument(_ key: String, in namespace: VectorNamespace) async throws -> Bool {
        let rows = try await store.client.query(
            """
            DELETE FROM rag_chunks
            WHERE tenant = \(namespace.tenant) AND index_name = \(namespace.index) AND document_key = \(key)
            RETURNING 1
            """,
            logger: store.logger
        ).collect()
        return !rows.isEmpty
    }

    public func query(
        _ vector: [Float], topK: Int, filter: MetadataFilter?, in namespace: VectorNamespace
    ) async throws -> [VectorMatch] {
        guard topK > 0 else { return [] }
        let dimension = vector.count
        let efSearch = String(min(max(efSearch, topK), 1000))
        let logger = store.logger
        return try await store.transaction { connection in
            let settings = try await connection.query(
                """
                SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', \(efSearch), true),
                    (SELECT dimension FROM rag_chunks WHERE tenant = \(namespace.tenant) AND index_name = \(namespace.index)
                     LIMIT 1)
                """,
                logger: logger
            ).collect()
            guard let existing = try settings.first?.decode((String, String, Int?).self).2 else { return [] }
            guard existing == dimension else {
                throw VectorStoreError.dimensionMismatch(expected: existing, got: dimension)
            }
            var sql = PostgresSQL()
            let embedding = "embedding::vector(\(dimension))"
            let target = "\(sql.bind(Self.literal(vector)))::vector(\(dimension))"
            let tenant = sql.bind(namespace.tenant)
            let index = sql.bind(namespace.index)
            let condition =
                filter.map { PostgresMetadataFilter.condition($0, column: "metadata", into: &sql) } ?? "TRUE"
            sql.append(
                """
                WITH candidates AS MATERIALIZED (
                    SELECT document_key, chunk_index, text, metadata, \(embedding) <=> \(target) AS distance
                    FROM rag_chunks
                    WHERE tenant = \(tenant) AND index_name = \(index) AND dimension = \(dimension) AND \(condition)
                    ORDER BY distance, document_key, chunk_index
                    LIMIT \(sql.bind(topK)))
                SELECT document_key, chunk_index, text, metadata::text,
                    CASE WHEN distance = 'NaN' THEN 1 ELSE distance END AS cosine_distance
                FROM candidates
                ORDER BY cosine_distance, document_key, chunk_index
                """)
            var matches: [VectorMatch] = []
            let rows = try await connection.query(sql.query, logger: logger)
            for try await (key, chunkIndex, text, metadata, distance) in rows.decode(
                (String, Int, String, String, Double).self)
            {
                matches.append(
                    VectorMatch(
                        documentKey: key, chunkIndex: chunkIndex, text: text,
                        metadata: try JSONParser.parse(metadata).objectValue ?? [:], distance: Float(distance)))
            }
            return matches
        }
    }

    public func dimension(of namespace: VectorNamespace) async throws -> Int? {
        try await store.client.withConnection { connection in
            try await Self.dimension(of: namespace, on: connection, logger: store.logger)
        }
    }

    static func dimension(
        of namespace: VectorNamespace, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int? {
        let rows = try await connection.query(
            """
            SELECT dimension FROM rag_chunks WHERE tenant = \(namespace.tenant) AND index_name = \(namespace.index)
            LIMIT 1
            """,
            logger: logger
        ).collect()
        return try rows.first?.decode(Int.self)
    }

    /// Creates the HNSW index of `dimension` unless it exists; concurrent creators serialise on an advisory
    /// lock (two `CREATE INDEX IF NOT EXISTS` racing can fail).
    func ensureIndex(_ dimension: Int) async throws {
        guard dimension <= Self.maxIndexedDimension, !indexedDimensions.withLock({ $0.contains(dimension) }) else {
            return
        }
        let name = "rag_chunks_hnsw_\(dimension)"
        let logger = store.logger
        try await store.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresLockKey.vectorIndex))", logger: logger)
            let found = try await connection.query("SELECT to_regclass(\(name)) IS NOT NULL", logger: logger)
                .collect()
            guard try found.first?.decode(Bool.self) != true else { return }
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE INDEX \(name) ON rag_chunks
                        USING hnsw ((embedding::vector(\(dimension))) vector_cosine_ops) WHERE dimension = \(dimension)
                        """),
                logger: logger)
            logger.info("created vector index", metadata: ["dimension": "\(dimension)"])
        }
        indexedDimensions.withLock { _ = $0.insert(dimension) }
    }

    /// pgvector's text form, `[0.5,-1.0,3e-05]` (shortest round-trip floats, read back exactly).
    static func literal(_ vector: [Float]) -> String {
        "[" + vector.map { "\($0)" }.joined(separator: ",") + "]"
    }
}
