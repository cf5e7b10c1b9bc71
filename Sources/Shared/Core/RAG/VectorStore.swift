import GatewaySchema

/// Where a tenant's vectors live: every store keeps each (tenant, index) apart, so no query, write or delete
/// of one tenant can reach another's vectors whatever index name it uses.
public struct VectorNamespace: Sendable, Hashable, CustomStringConvertible {
    public var tenant: String
    public var index: String

    public init(tenant: String, index: String) {
        self.tenant = tenant
        self.index = index
    }

    /// Index names: 1–48 characters of lowercase letters, digits, `-` and `_`, starting with a letter or digit.
    public static func validIndexName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (1...48).contains(name.utf8.count), isAlnum(first) else { return false }
        return name.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    public var description: String { "\(tenant)/\(index)" }
}

/// One chunk of a document with its embedding.
public struct VectorChunk: Sendable, Equatable {
    /// The document's key (unique within a namespace).
    public var documentKey: String
    /// Position of the chunk in the document, from 0.
    public var chunkIndex: Int
    public var text: String
    /// The document's metadata (every chunk of a document carries the same).
    public var metadata: JSONObject
    public var vector: [Float]

    public init(documentKey: String, chunkIndex: Int, text: String, metadata: JSONObject, vector: [Float]) {
        self.documentKey = documentKey
        self.chunkIndex = chunkIndex
        self.text = text
        self.metadata = metadata
        self.vector = vector
    }
}

/// A retrieved chunk and its cosine distance to the query (0 = same direction, 2 = opposite).
public struct VectorMatch: Sendable, Equatable {
    public var documentKey: String
    public var chunkIndex: Int
    public var text: String
    public var metadata: JSONObject
    public var distance: Float

    public init(documentKey: String, chunkIndex: Int, text: String, metadata: JSONObject, distance: Float) {
        self.documentKey = documentKey
        self.chunkIndex = chunkIndex
        self.text = text
        self.metadata = metadata
        self.distance = distance
    }
}

public enum VectorStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The namespace holds vectors of another dimension (a different embedding model).
    case dimensionMismatch(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let got):
            "this index holds \(expected)-dimensional vectors; the embedding model produced \(got) dimensions"
        }
    }
}

/// A vector index for RAG: exact (embedded), HNSW (pgvector) or managed (S3 Vectors). Distances are cosine
/// distances; vectors need not be normalised.
public protocol VectorStore: Sendable {
    /// Replaces every chunk of a document with `chunks` (none: the document is removed), as one step: a query
    /// sees the old chunks or the new ones, never a mix (except on S3 Vectors, which has no transactions: there
    /// a query during the replacement may see both for a moment; the end state is the same). Throws `dimensionMismatch` when the namespace
    /// already holds vectors of another dimension.
    func replaceDocument(_ key: String, with chunks: [VectorChunk], in namespace: VectorNamespace) async throws
    /// Removes a document's chunks; false when it had none.
    func deleteDocument(_ key: String, in namespace: VectorNamespace) async throws -> Bool
    /// The `topK` chunks nearest to `vector` whose metadata passes `filter`, nearest first. A namespace
    /// holding fewer matching chunks returns them all; an unknown namespace returns none.
    func query(
        _ vector: [Float], topK: Int, filter: MetadataFilter?, in namespace: VectorNamespace
    ) async throws -> [VectorMatch]
    /// The dimension of the namespace's vectors, nil when it holds none.
    func dimension(of namespace: VectorNamespace) async throws -> Int?
}

/// Cosine distance, the one definition every store's results are checked against.
public enum CosineDistance {
    public static func between(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var dot: Float = 0
        var normA: Float = 0
        var normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        guard normA > 0, normB > 0 else { return 1 }
        return 1 - dot / (normA.squareRoot() * normB.squareRoot())
    }
}
