import GatewayCore
import Synchronization

/// Vectors in memory with exact (brute-force) cosine search: the reference every vector store is tested
/// against, and the store of tests.
public final class MemoryVectorStore: VectorStore {
    let namespaces: Mutex<[VectorNamespace: [String: [VectorChunk]]]> = Mutex([:])

    public init() {}

    public func replaceDocument(_ key: String, with chunks: [VectorChunk], in namespace: VectorNamespace) async throws {
        try namespaces.withLock { all in
            if let first = chunks.first, let existing = all[namespace]?.values.first(where: { !$0.isEmpty })?.first,
                existing.vector.count != first.vector.count
            {
                throw VectorStoreError.dimensionMismatch(expected: existing.vector.count, got: first.vector.count)
            }
            all[namespace, default: [:]][key] = chunks.isEmpty ? nil : chunks
        }
    }

    public func deleteDocument(_ key: String, in namespace: VectorNamespace) async throws -> Bool {
        namespaces.withLock { $0[namespace]?.removeValue(forKey: key) != nil }
    }

    public func query(
        _ vector: [Float], topK: Int, filter: MetadataFilter?, in namespace: VectorNamespace
    ) async throws -> [VectorMatch] {
        let documents = namespaces.withLock { $0[namespace] ?? [:] }
        var matches: [VectorMatch] = []
        for chunk in documents.values.joined() where filter?.matches(chunk.metadata) ?? true {
            guard chunk.vector.count == vector.count else {
                throw VectorStoreError.dimensionMismatch(expected: chunk.vector.count, got: vector.count)
            }
            matches.append(
                VectorMatch(
                    documentKey: chunk.documentKey, chunkIndex: chunk.chunkIndex, text: chunk.text,
                    metadata: chunk.metadata, distance: CosineDistance.between(vector, chunk.vector)))
        }
        matches.sort { ($0.distance, $0.documentKey, $0.chunkIndex) < ($1.distance, $1.documentKey, $1.chunkIndex) }
        return Array(matches.prefix(topK))
    }

    public func dimension(of namespace: VectorNamespace) async throws -> Int? {
        namespaces.withLock { $0[namespace]?.values.first { !$0.isEmpty }?.first?.vector.count }
    }
}
