import GatewaySchema

/// One document to ingest: its key (unique within an index), text and metadata.
public struct RAGDocument: Sendable, Equatable {
    public var key: String
    public var text: String
    public var metadata: JSONObject

    public init(key: String, text: String, metadata: JSONObject = [:]) {
        self.key = key
        self.text = text
        self.metadata = metadata
    }

    public var json: JSONValue { ["key": .string(key), "text": .string(text), "metadata": .object(metadata)] }
}

/// A validated `POST /v1/rag/ingest` body.
public struct RAGIngestRequest: Sendable, Equatable {
    public static let maxDocuments = 100
    public static let maxKeyLength = 256
    public static let maxMetadataKeys = 32

    public var documents: [RAGDocument]
    public var indexName: String
    public var embeddingModel: String
    public var chunker: TextChunker
    /// Whether the caller asked for an asynchronous job.
    public var async: Bool

    public init(
        documents: [RAGDocument], indexName: String, embeddingModel: String, chunker: TextChunker, async: Bool
    ) {
        self.documents = documents
        self.indexName = indexName
        self.embeddingModel = embeddingModel
        self.chunker = chunker
        self.async = async
    }

    /// Reads and checks the body; every error names the offending field, and the document by index and key.
    public init(_ body: JSONObject, defaults: RAGDefaults) throws(GatewayError) {
        guard let list = body["documents"]?.arrayValue, (1...Self.maxDocuments).contains(list.count) else {
            throw .invalidRequest(
                "'documents' must be an array of 1 to \(Self.maxDocuments) documents.", param: "documents")
        }
        var documents: [RAGDocument] = []
        var seen: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let path = "documents[\(index)]"
            guard let object = item.objectValue else {
                throw .invalidRequest("\(path) must be an object with 'key' and 'text'.", param: path)
            }
            guard let key = object["key"]?.stringValue, !key.isEmpty, key.count <= Self.maxKeyLength,
                !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw .invalidRequest(
                    "\(path).key must be a string of 1 to \(Self.maxKeyLength) characters without control characters.",
                    param: "\(path).key")
            }
            let named = "\(path) (key '\(key)')"
            if let first = seen[key] {
                throw .invalidRequest(
                    "\(named) repeats the key of documents[\(first)]; each key may appear once per request.",
                    param: "\(path).key")
            }
            seen[key] = index
            guard let text = object["text"]?.stringValue, text.contains(where: { !$0.isWhitespace }) else {
                throw .invalidRequest("\(named): 'text' must be a non-empty string.", param: "\(path).text")
            }
            var metadata = JSONObject()
            if let value = object["metadata"], !value.isNull {
                guard let fields = value.objectValue, fields.count <= Self.maxMetadataKeys else {
                    throw .invalidRequest(
                        "\(named): 'metadata' must be an object of at most \(Self.maxMetadataKeys) fields.",
                        param: "\(path).metadata")
                }
                for (name, field) in fields {
                    guard !name.isEmpty, !name.hasPrefix("_"), !name.hasPrefix("$") else {
                        throw .invalidRequest(
                            "\(named): metadata field names must not be empty or start with '_' or '$' ('\(name)').",
                            param: "\(path).metadata")
                    }
                    guard Self.isMetadataValue(field) else {
                        throw .invalidRequest(
                            "\(named): metadata '\(name)' must be a string, number, boolean or an array of those.",
                            param: "\(path).metadata.\(name)")
                    }
                }
                metadata = fields
            }
            documents.append(RAGDocument(key: key, text: text, metadata: metadata))
        }
        self.documents = documents
        self.indexName = try RAGDefaults.parseIndexName(body, default: defaults.indexName)
        self.embeddingModel = try RAGDefaults.string(body, "embedding_model") ?? defaults.embeddingModel
        let size = try RAGDefaults.integer(body, "chunk_size", in: 100...8000) ?? defaults.chunkSize
        let overlap =
            try RAGDefaults.integer(body, "chunk_overlap", in: 0...4000) ?? min(defaults.chunkOverlap, size / 2)
        guard overlap <= size / 2 else {
            throw .invalidRequest("'chunk_overlap' must be at most half of 'chunk_size'.", param: "chunk_overlap")
        }
        self.chunker = TextChunker(size: size, overlap: overlap)
        if let flag = body["async"], !flag.isNull {
            guard case .bool(let value) = flag else {
                throw .invalidRequest("'async' must be a boolean.", param: "async")
            }
            self.async = value
        } else {
            self.async = false
        }
    }

    static func isMetadataValue(_ value: JSONValue) -> Bool {
        switch value {
        case .string, .number, .bool: return true
        case .array(let items):
            return items.allSatisfy {
                if case .array = $0 { return false }
                return isMetadataValue($0)
            }
        default: return false
        }
    }
}

/// What ingest and query requests default to (the configuration's `rag` section).
public struct RAGDefaults: Sendable, Equatable {
    public var indexName = "default"
    public var embeddingModel = "text-embedding-3-small"
    public var chatModel = "fast"
    public var chunkSize = 1000
    public var chunkOverlap = 150
    public var topK = 5
    /// Larger batches become an asynchronous job.
    public var syncMaxDocuments = 20

    public init() {}

    static func string(_ body: JSONObject, _ name: String) throws(GatewayError) -> String? {
        guard let value = body[name], !value.isNull else { return nil }
        guard let text = value.stringValue, !text.isEmpty else {
            throw .invalidRequest("'\(name)' must be a non-empty string.", param: name)
        }
        return text
    }

    static func integer(_ body: JSONObject, _ name: String, in range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let value = body[name], !value.isNull else { return nil }
        guard let number = value.intValue, range.contains(number) else {
            throw .invalidRequest(
                "'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound).", param: name)
        }
        return number
    }

    /// `index_name` of a request body, checked; `fallback` when absent.
    public static func parseIndexName(_ body: JSONObject, default fallback: String) throws(GatewayError) -> String {
        guard let name = try string(body, "index_name") else { return fallback }
        guard VectorNamespace.validIndexName(name) else {
            throw .invalidRequest(
                "'index_name' must be 1 to 48 lowercase letters, digits, '-' or '_', starting with a letter or digit.",
                param: "index_name")
        }
        return name
    }
}

/// Where RAG vectors live (the configuration's `rag.store`).
public enum RAGStoreConfig: Sendable, Equatable {
    /// Exact search over chunks kept in the data directory's SQLite file (embedded mode's default).
    case sqlite
    /// Exact search in memory, lost at exit (tests, demos).
    case memory
    /// PostgreSQL with pgvector (HNSW), at a `postgres://` URL.
    case postgres(url: String)
    /// Amazon S3 Vectors: one vector bucket, an index per tenant and index name.
    case s3vectors(bucket: String, region: String?, baseURL: String?)
}
