import GatewayCore
import GatewaySchema

/// Chunks, embeds and stores documents: the one ingestion path of synchronous requests and of jobs.
struct Ingestor: Sendable {
    let embedder: Embedder
    let vectors: any VectorStore

    struct Outcome: Sendable {
        /// Chunks per document, in order.
        var chunksPerDocument: [Int]
        var chunks: Int
        var tokens: Int
        var target: RouteTarget?
    }

    /// Embeds every chunk of `documents` first (so a failed embedding call writes nothing), then replaces each
    /// document's chunks. Store errors (a dimension mismatch) become 400s naming the index.
    func ingest(
        _ documents: [RAGDocument], chunker: TextChunker, model: String, namespace: VectorNamespace,
        identity: Identity, audit: AuditRecorder, requestID: String
    ) async throws -> Outcome {
        let chunked = documents.map { chunker.chunks(of: $0.text) }
        let embedded = try await embedder.embed(
            Array(chunked.joined()), model: model, identity: identity, audit: audit, requestID: requestID)
        var offset = 0
        for (document, chunks) in zip(documents, chunked) {
            let records = chunks.enumerated().map { index, text in
                VectorChunk(
                    documentKey: document.key, chunkIndex: index, text: text, metadata: document.metadata,
                    vector: embedded.vectors[offset + index])
            }
            offset += chunks.count
            do {
                try await vectors.replaceDocument(document.key, with: records, in: namespace)
            } catch let error as VectorStoreError {
                throw GatewayError.invalidRequest(
                    "Index '\(namespace.index)': \(error.description). Use the same embedding model for an index, "
                        + "or another index_name.", param: "embedding_model", code: "dimension_mismatch")
            }
        }
        return Outcome(
            chunksPerDocument: chunked.map(\.count), chunks: offset, tokens: embedded.tokens, target: embedded.target)
    }
}
