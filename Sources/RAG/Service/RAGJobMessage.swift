import GatewayCore
import GatewaySchema

/// An asynchronous ingestion as it travels on the `rag-ingest` queue: the job, who asked, and the documents.
struct RAGJobMessage: Sendable, Equatable {
    var jobID: String
    var identity: Identity
    var request: RAGIngestRequest

    var encoded: [UInt8] {
        var object = JSONObject()
        object["job_id"] = .string(jobID)
        object["tenant"] = .string(identity.tenant)
        object["key_id"] = .string(identity.keyID)
        object["key_label"] = .string(identity.keyLabel)
        object["models"] = identity.models.map { .array($0.map(JSONValue.string)) } ?? .null
        object["index_name"] = .string(request.indexName)
        object["embedding_model"] = .string(request.embeddingModel)
        object["chunk_size"] = .number(JSONNumber(request.chunker.size))
        object["chunk_overlap"] = .number(JSONNumber(request.chunker.overlap))
        object["documents"] = .array(request.documents.map(\.json))
        return JSONValue.object(object).serialized()
    }

    init(jobID: String, identity: Identity, request: RAGIngestRequest) {
        self.jobID = jobID
        self.identity = identity
        self.request = request
    }

    init?(decoding bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes), let jobID = value["job_id"]?.stringValue,
            let tenant = value["tenant"]?.stringValue, let index = value["index_name"]?.stringValue,
            let model = value["embedding_model"]?.stringValue, let size = value["chunk_size"]?.intValue,
            let overlap = value["chunk_overlap"]?.intValue, size > 0, overlap >= 0, overlap < size,
            let documents = value["documents"]?.arrayValue
        else { return nil }
        self.jobID = jobID
        identity = Identity(
            tenant: tenant, keyID: value["key_id"]?.stringValue ?? "", keyLabel: value["key_label"]?.stringValue ?? "",
            models: value["models"]?.arrayValue?.compactMap(\.stringValue))
        request = RAGIngestRequest(
            documents: documents.compactMap { item in
                guard let key = item["key"]?.stringValue, let text = item["text"]?.stringValue else { return nil }
                return RAGDocument(key: key, text: text, metadata: item["metadata"]?.objectValue ?? [:])
            }, indexName: index, embeddingModel: model, chunker: TextChunker(size: size, overlap: overlap),
            async: true)
    }
}
