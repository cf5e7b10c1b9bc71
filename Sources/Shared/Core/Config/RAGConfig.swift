import GatewaySchema

extension ConfigReader {
    /// The `rag` section: defaults of ingest and query requests, and where vectors live.
    mutating func readRAG(
        _ value: JSONValue, into rag: inout RAGDefaults, store: inout RAGStoreConfig, environment: [String: String]
    ) {
        let path = "rag"
        guard
            let fields = object(
                value, path,
                allowed: [
                    "index_name", "embedding_model", "chat_model", "chunk_size", "chunk_overlap", "top_k",
                    "sync_max_documents", "store", "postgres_url", "s3vectors",
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
        switch string(fields, "store", path) ?? "sqlite" {
        case "sqlite": store = .sqlite
        case "memory": store = .memory
        case "postgres":
            // The URL may carry a password: prefer the environment to the file.
            if let url = string(fields, "postgres_url", path) ?? environment["SWITCHBOARD_RAG_POSTGRES_URL"],
                url.hasPrefix("postgres")
            {
                store = .postgres(url: url)
            } else {
                problem(
                    join(path, "postgres_url"),
                    "store postgres needs postgres_url or SWITCHBOARD_RAG_POSTGRES_URL (postgres://user@host:port/db)")
            }
        case "s3vectors":
            let s3Path = join(path, "s3vectors")
            guard let section = fields["s3vectors"],
                let s3 = object(section, s3Path, allowed: ["bucket", "region", "base_url"]),
                let bucket = string(s3, "bucket", s3Path)
            else {
                problem(s3Path, "store s3vectors needs s3vectors.bucket")
                return
            }
            store = .s3vectors(
                bucket: bucket, region: string(s3, "region", s3Path), baseURL: string(s3, "base_url", s3Path))
        default:
            problem(join(path, "store"), "must be sqlite, memory, postgres or s3vectors")
        }
    }
}
