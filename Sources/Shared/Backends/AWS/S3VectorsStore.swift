import GatewayAWS
import GatewayCore
import GatewaySchema
import Synchronization

/// Vectors in Amazon S3 Vectors: one vector bucket (configured), one index per namespace, one vector per chunk
/// (see `S3VectorsLayout`). Search is the service's (approximate) cosine search; `topK` is capped at
/// `S3VectorsLimits.maxTopK`.
///
/// An index is created on the first write to its namespace, with the first vectors' dimension (a concurrent
/// creation by another process is fine); its dimension is read once with `GetIndex` and cached, and a write or
/// query of another dimension throws `VectorStoreError.dimensionMismatch`. An index keeps its dimension after
/// its documents are deleted, so `dimension(of:)` reports it until the index itself is removed.
///
/// S3 Vectors has no transactions. `replaceDocument` reads the old chunk count from chunk 0 (`GetVectors`),
/// writes the new chunks (`PutVectors`) and then deletes the old surplus (`DeleteVectors`): unlike the other
/// stores, a query running meanwhile may briefly see a mix of old and new chunks. Chunk 0's `_count` never
/// understates the keys present (it holds the larger count until the surplus is gone), so an interrupted
/// replace leaves no chunk a later replace or delete would miss.
public final class S3VectorsStore: VectorStore {
    public let client: S3VectorsClient
    public let bucket: String
    /// Index name → dimension, for indexes known to exist (an index's dimension never changes).
    let dimensions = Mutex<[String: Int]>([:])

    public init(client: S3VectorsClient, bucket: String) {
        self.client = client
        self.bucket = bucket
    }

    /// Creates the vector bucket unless it exists (also done on demand when an index cannot be created for
    /// want of its bucket).
    public func prepareBucket() async throws {
        if try await client.getVectorBucket(bucket) != nil { return }
        do {
            try await client.createVectorBucket(bucket)
        } catch let error as AWSServiceError where error.code == "ConflictException" {
            // Created meanwhile by another process.
        }
    }

    public func replaceDocument(_ key: String, with chunks: [VectorChunk], in namespace: VectorNamespace) async throws {
        guard let first = chunks.first else {
            _ = try await deleteDocument(key, in: namespace)
            return
        }
        try Self.validate(chunks)
        let index = S3VectorsLayout.indexName(namespace)
        try await ensureIndex(index, dimension: first.vector.count)
        let oldCount = try await storedCount(key, index: index) ?? 0
        let newCount = chunks.count
        let sorted = chunks.sorted { $0.chunkIndex < $1.chunkIndex }
        let vectors = sorted.map { chunk in
            S3Vector(
                key: S3VectorsLayout.vectorKey(key, chunk.chunkIndex), data: chunk.vector,
                metadata: S3VectorsLayout.metadata(
                    of: chunk, document: key, count: chunk.chunkIndex == 0 ? max(oldCount, newCount) : nil))
        }
        try await client.putVectors(bucket: bucket, index: index, vectors)
        guard oldCount > newCount else { return }
        try await client.deleteVectors(
            bucket: bucket, index: index, keys: (newCount..<oldCount).map { S3VectorsLayout.vectorKey(key, $0) })
        var head = vectors[0]
        head.metadata = S3VectorsLayout.metadata(of: sorted[0], document: key, count: newCount)
        try await client.putVectors(bucket: bucket, index: index, [head])
    }

    public func deleteDocument(_ key: String, in namespace: VectorNamespace) async throws -> Bool {
        let index = S3VectorsLayout.indexName(namespace)
        guard let count = try await storedCount(key, index: index) else { return false }
        try await client.deleteVectors(
            bucket: bucket, index: index, keys: (0..<count).map { S3VectorsLayout.vectorKey(key, $0) })
        return true
    }

    public func query(
        _ vector: [Float], topK: Int, filter: MetadataFilter?, in namespace: VectorNamespace
    ) async throws -> [VectorMatch] {
        guard topK > 0 else { return [] }
        let index = S3VectorsLayout.indexName(namespace)
        guard let dimension = try await indexDimension(index) else { return [] }
        guard dimension == vector.count else {
            throw VectorStoreError.dimensionMismatch(expected: dimension, got: vector.count)
        }
        do {
            let results = try await client.queryVectors(
                bucket: bucket, index: index, vector: vector, topK: topK, filter: filter?.json)
            return results.compactMap(S3VectorsLayout.match)
        } catch let error as AWSServiceError where error.code == "NotFoundException" {
            return []
        }
    }

    public func dimension(of namespace: VectorNamespace) async throws -> Int? {
        try await indexDimension(S3VectorsLayout.indexName(namespace))
    }

    // MARK: Internals

    /// The index's dimension (cached once known), nil when the index does not exist.
    func indexDimension(_ index: String) async throws -> Int? {
        if let known = dimensions.withLock({ $0[index] }) { return known }
        guard let description = try await client.getIndex(bucket: bucket, name: index) else { return nil }
        dimensions.withLock { $0[index] = description.dimension }
        return description.dimension
    }

    /// Makes sure the index exists with `dimension`, creating it (and the bucket) when needed.
    func ensureIndex(_ index: String, dimension: Int) async throws {
        if let existing = try await indexDimension(index) {
            guard existing == dimension else {
                throw VectorStoreError.dimensionMismatch(expected: existing, got: dimension)
            }
            return
        }
        do {
            try await createIndex(index, dimension: dimension)
        } catch let error as AWSServiceError where error.code == "NotFoundException" {
            try await prepareBucket()
            try await createIndex(index, dimension: dimension)
        }
        guard let created = try await indexDimension(index) else {
            throw AWSClientError(.invalidResponse, message: "S3 Vectors created index \(index) but cannot find it")
        }
        guard created == dimension else { throw VectorStoreError.dimensionMismatch(expected: created, got: dimension) }
    }

    /// Creates the index; another process creating it first is not an error (the caller re-reads it).
    func createIndex(_ index: String, dimension: Int) async throws {
        do {
            try await client.createIndex(
                bucket: bucket, name: index, dimension: dimension, distanceMetric: "cosine",
                nonFilterableMetadataKeys: S3VectorsLayout.nonFilterableKeys)
        } catch let error as AWSServiceError where error.code == "ConflictException" {
            return
        }
    }

    /// The chunk count recorded on the document's chunk 0; nil when the document (or the index) is absent.
    func storedCount(_ key: String, index: String) async throws -> Int? {
        do {
            let found = try await client.getVectors(
                bucket: bucket, index: index, keys: [S3VectorsLayout.vectorKey(key, 0)], returnMetadata: true)
            return found.first.map { S3VectorsLayout.count(in: $0.metadata) }
        } catch let error as AWSServiceError where error.code == "NotFoundException" {
            return nil
        }
    }

    /// Chunks numbered 0..<n once each, of one dimension, without reserved metadata keys.
    static func validate(_ chunks: [VectorChunk]) throws {
        let indexes = Set(chunks.map(\.chunkIndex))
        guard indexes.count == chunks.count, indexes.allSatisfy({ (0..<chunks.count).contains($0) }) else {
            throw S3VectorsStoreError.invalidChunks("chunk indexes must be 0, 1, …, \(chunks.count - 1), each once")
        }
        let dimension = chunks[0].vector.count
        if let other = chunks.first(where: { $0.vector.count != dimension }) {
            throw VectorStoreError.dimensionMismatch(expected: dimension, got: other.vector.count)
        }
        for chunk in chunks {
            if let reserved = chunk.metadata.keys.first(where: S3VectorsLayout.isReserved) {
                throw S3VectorsStoreError.reservedMetadataKey(reserved)
            }
        }
    }
}
