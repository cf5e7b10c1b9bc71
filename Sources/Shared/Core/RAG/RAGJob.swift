import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An asynchronous ingestion: its progress and the documents that failed.
public struct RAGJob: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case queued
        case running
        /// Every document was ingested.
        case succeeded
        /// Done, but some documents failed (see `errors`).
        case completedWithErrors = "completed_with_errors"
        /// No document could be ingested.
        case failed
    }

    public struct DocumentError: Sendable, Equatable {
        public var key: String
        public var message: String
        public init(key: String, message: String) {
            self.key = key
            self.message = message
        }
    }

    public var id: String
    public var tenant: String
    public var indexName: String
    public var status: Status
    public var documentsTotal: Int
    public var documentsIngested = 0
    public var documentsFailed = 0
    public var chunks = 0
    public var embeddingTokens = 0
    public var errors: [DocumentError] = []
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, tenant: String, indexName: String, documentsTotal: Int, createdAt: Date) {
        self.id = id
        self.tenant = tenant
        self.indexName = indexName
        self.status = .queued
        self.documentsTotal = documentsTotal
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    /// The status once every document has been tried.
    public mutating func finish(at date: Date) {
        status = documentsFailed == 0 ? .succeeded : (documentsIngested == 0 ? .failed : .completedWithErrors)
        updatedAt = date
    }

    public var json: JSONValue {
        var object = JSONObject()
        object["object"] = "rag.ingest.job"
        object["id"] = .string(id)
        object["status"] = .string(status.rawValue)
        object["index_name"] = .string(indexName)
        object["documents_total"] = .number(JSONNumber(documentsTotal))
        object["documents_ingested"] = .number(JSONNumber(documentsIngested))
        object["documents_failed"] = .number(JSONNumber(documentsFailed))
        object["chunks"] = .number(JSONNumber(chunks))
        object["usage"] = [
            "prompt_tokens": .number(JSONNumber(embeddingTokens)), "total_tokens": .number(JSONNumber(embeddingTokens)),
        ]
        object["errors"] = .array(errors.map { ["key": .string($0.key), "message": .string($0.message)] })
        object["created_at"] = .number(JSONNumber(Int(createdAt.timeIntervalSince1970)))
        object["updated_at"] = .number(JSONNumber(Int(updatedAt.timeIntervalSince1970)))
        object["tenant"] = .string(tenant)
        return .object(object)
    }

    public init?(json value: JSONValue) {
        guard let id = value["id"]?.stringValue, let tenant = value["tenant"]?.stringValue,
            let index = value["index_name"]?.stringValue,
            let status = value["status"]?.stringValue.flatMap(Status.init(rawValue:)),
            let total = value["documents_total"]?.intValue
        else { return nil }
        self.init(
            id: id, tenant: tenant, indexName: index, documentsTotal: total,
            createdAt: Date(timeIntervalSince1970: value["created_at"]?.doubleValue ?? 0))
        self.status = status
        documentsIngested = value["documents_ingested"]?.intValue ?? 0
        documentsFailed = value["documents_failed"]?.intValue ?? 0
        chunks = value["chunks"]?.intValue ?? 0
        embeddingTokens = value["usage"]?["prompt_tokens"]?.intValue ?? 0
        errors = (value["errors"]?.arrayValue ?? []).compactMap { item in
            guard let key = item["key"]?.stringValue, let message = item["message"]?.stringValue else { return nil }
            return DocumentError(key: key, message: message)
        }
        updatedAt = Date(timeIntervalSince1970: value["updated_at"]?.doubleValue ?? 0)
    }
}

/// Ingestion jobs, always read with the caller's tenant.
public protocol RAGJobStore: Sendable {
    func save(_ job: RAGJob) async throws
    func find(id: String, tenant: String) async throws -> RAGJob?
}
