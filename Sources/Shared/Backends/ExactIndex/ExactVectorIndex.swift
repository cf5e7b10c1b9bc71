import GatewayCore

/// One namespace's rows behind an actor: a search runs start to finish without suspending, so it sees every
/// document either before or after a replacement, never half of one. Concurrent searches of one namespace take
/// turns; waiters suspend rather than block a thread.
actor ExactVectorIndex {
    private var rows: VectorRows

    init(rows: consuming VectorRows) {
        self.rows = rows
    }

    /// The dimension of the rows, nil when there are none.
    var dimension: Int? { rows.count > 0 ? rows.dimension : nil }

    var count: Int { rows.count }

    func nearest(to query: [Float], topK: Int, filter: MetadataFilter?) throws -> [VectorMatch] {
        guard rows.count > 0 else { return [] }
        guard query.count == rows.dimension else {
            throw VectorStoreError.dimensionMismatch(expected: rows.dimension, got: query.count)
        }
        return rows.nearest(to: query, topK: topK, filter: filter)
    }

    func replaceDocument(_ key: String, with chunks: [VectorChunk]) {
        rows.replaceDocument(key, with: chunks)
    }

    @discardableResult
    func removeDocument(_ key: String) -> Bool {
        rows.removeDocument(key)
    }
}
