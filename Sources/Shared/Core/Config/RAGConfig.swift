import GatewaySchema

extension ConfigReader {
    /// The `rag` section: defaults of ingest and query requests.
    mutating func readRAG(_ value: JSONValue, into rag: inout RAGDefaults) {
        let path = "rag"
        guard
            let fields = object(
                value, path,
                allowed: [
                    "index_name", "embedding_model", "chat_model", "chunk_size", "chunk_overlap", "top_k",
                    "sync_max_documents",
                ])
        else { return }
        if let name = string(fields, "index_name", path) {
            if VectorNamespace.validIndexName(name) {
                rag.indexName = name
            } else {
                problem(join(path, "index_name"), "must be 1–48 lowercase letters, digits, '-' or '_'")
            }
        }
        if let model = string(fields, "embedding_model", path) { rag.embeddingModel = model }
        if let model = string(fields, "chat_model", path) { rag.chatModel = model }
        if let size = integer(fields, "chunk_size", path, min: 100) { rag.chunkSize = min(size, 8000) }
        if let overlap = integer(fields, "chunk_overlap", path) {
            if overlap <= rag.chunkSize / 2 {
                rag.chunkOverlap = overlap
            } else {
                problem(join(path, "chunk_overlap"), "must be at most half of chunk_size")
            }
        }
        if let topK = integer(fields, "top_k", path, min: 1) {
            if topK <= 20 { rag.topK = topK } else { problem(join(path, "top_k"), "must be from 1 to 20") }
        }
        if let count = integer(fields, "sync_max_documents", path, min: 0) { rag.syncMaxDocuments = count }
    }
}
