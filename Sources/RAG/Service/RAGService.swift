import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewayRouter
import GatewaySchema
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The RAG endpoints: `POST /v1/rag/ingest` (synchronous, or an asynchronous job over the queue),
/// `GET /v1/rag/jobs/{id}`, `DELETE /v1/rag/documents/{key}` and `POST /v1/rag/query` (buffered or streamed).
/// Every vector operation is scoped to the caller's tenant: an index name never reaches another tenant's data.
public struct RAGService: Sendable {
    let router: RouterService
    let vectors: any VectorStore
    let jobs: any RAGJobStore
    let queue: any MessageQueue
    let defaults: RAGDefaults
    let limits: BodyLimits

    public init(
        router: RouterService, vectors: any VectorStore, jobs: any RAGJobStore, queue: any MessageQueue,
        defaults: RAGDefaults, limits: BodyLimits
    ) {
        self.router = router
        self.vectors = vectors
        self.jobs = jobs
        self.queue = queue
        self.defaults = defaults
        self.limits = limits
    }

    var ingestor: Ingestor { Ingestor(embedder: Embedder(router: router), vectors: vectors) }

    public func addRoutes(to router: Router<GatewayRequestContext>) {
        router.post("/v1/rag/ingest") { request, context in try await self.ingest(request, context: context) }
        router.get("/v1/rag/jobs/{id}") { _, context in try await self.job(context.parameters.require("id"), context) }
        router.delete("/v1/rag/documents/{key}") { request, context in
            try await self.deleteDocument(request, context: context)
        }
        router.post("/v1/rag/query") { request, context in try await self.query(request, context: context) }
    }

    func identity(_ context: GatewayRequestContext) throws -> Identity {
        guard let identity = context.identity else { throw GatewayError.missingAPIKey() }
        return identity
    }

    // MARK: Ingest

    func ingest(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let identity = try identity(context)
        let ingest = try RAGIngestRequest(try await limits.readJSONObject(request), defaults: defaults)
        context.audit.update { $0.alias = ingest.embeddingModel }
        guard identity.allows(model: ingest.embeddingModel) else {
            throw GatewayError.modelNotAllowed(ingest.embeddingModel)
        }
        let namespace = VectorNamespace(tenant: identity.tenant, index: ingest.indexName)
        if ingest.async || ingest.documents.count > defaults.syncMaxDocuments {
            let job = RAGJob(
                id: "ragjob_" + RandomID.base62(24), tenant: identity.tenant, indexName: ingest.indexName,
                documentsTotal: ingest.documents.count, createdAt: Date())
            try await jobs.save(job)
            try await queue.publish(
                [RAGJobMessage(jobID: job.id, identity: identity, request: ingest).encoded], topic: .ragIngest)
            context.audit.markFirstByte()
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.location] = "/v1/rag/jobs/\(job.id)"
            return Response(
                status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: job.json.serialized())))
        }
        let outcome = try await ingestor.ingest(
            ingest.documents, chunker: ingest.chunker, model: ingest.embeddingModel, namespace: namespace,
            identity: identity, audit: context.audit, requestID: context.requestID)
        context.audit.update { $0.promptTokens = outcome.tokens }
        context.audit.markFirstByte()
        return RouterService.json([
            "object": "rag.ingest", "index_name": .string(ingest.indexName),
            "embedding_model": .string(ingest.embeddingModel),
            "documents": .array(
                zip(ingest.documents, outcome.chunksPerDocument).map {
                    ["key": .string($0.key), "chunks": .number(JSONNumber($1))]
                }),
            "chunks": .number(JSONNumber(outcome.chunks)),
            "usage": [
                "prompt_tokens": .number(JSONNumber(outcome.tokens)),
                "total_tokens": .number(JSONNumber(outcome.tokens)),
            ],
        ])
    }

    func job(_ id: String, _ context: GatewayRequestContext) async throws -> Response {
        let identity = try identity(context)
        guard let job = try await jobs.find(id: id, tenant: identity.tenant) else {
            throw GatewayError(
                status: 404, type: "invalid_request_error", code: "job_not_found", message: "No ingestion job '\(id)'.")
        }
        var json = job.json
        if case .object(var object) = json {
            object.removeValue(forKey: "tenant")
            json = .object(object)
        }
        return RouterService.json(json)
    }

    func deleteDocument(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let identity = try identity(context)
        let raw = try context.parameters.require("key")
        let key = Self.percentDecoded(raw)
        var query = JSONObject()
        if let name = request.uri.queryParameters.get("index_name") { query["index_name"] = .string(String(name)) }
        let index = try RAGDefaults.parseIndexName(query, default: defaults.indexName)
        let deleted = try await vectors.deleteDocument(key, in: VectorNamespace(tenant: identity.tenant, index: index))
        guard deleted else {
            throw GatewayError(
                status: 404, type: "invalid_request_error", code: "document_not_found",
                message: "No document '\(key)' in index '\(index)'.")
        }
        context.audit.markFirstByte()
        return RouterService.json([
            "object": "rag.document.deleted", "key": .string(key), "index_name": .string(index), "deleted": true,
        ])
    }

    /// A path segment with `%XX` escapes decoded (document keys may contain `/`, sent as `%2F`); invalid
    /// escapes are kept as they are.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let high = hex(utf8[utf8.startIndex]),
                let low = hex(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Query

    func query(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let identity = try identity(context)
        let query = try RAGQueryRequest(try await limits.readJSONObject(request), defaults: defaults)
        let audit = context.audit
        audit.update {
            $0.alias = query.model
            $0.stream = query.stream
        }
        guard identity.allows(model: query.model) else { throw GatewayError.modelNotAllowed(query.model) }
        let embedded = try await Embedder(router: router).embed(
            [query.query], model: query.embeddingModel, identity: identity, audit: audit, requestID: context.requestID)
        if let target = embedded.target {
            audit.update {
                $0.embedding = .init(
                    provider: target.provider.description, model: target.model, tokens: embedded.tokens)
            }
        }
        let namespace = VectorNamespace(tenant: identity.tenant, index: query.indexName)
        let sources: [VectorMatch]
        do {
            sources = try await vectors.query(
                embedded.vectors[0], topK: query.topK, filter: query.filter, in: namespace)
        } catch let error as VectorStoreError {
            throw GatewayError.invalidRequest(
                "Index '\(query.indexName)': \(error.description). Query with the embedding model the index was built with.",
                param: "embedding_model", code: "dimension_mismatch")
        }
        let ragContext = GroundedPrompt.context(sources)
        let requestID = context.requestID
        let body = query.chatBody(sources: sources)
        if query.stream {
            let (started, _) = try await router.call(
                model: query.model, kind: .chat, endpoint: .chat, body: body, identity: identity, audit: audit,
                requestID: requestID
            ) { try await $0.stream($1) }
            return router.relayChat(
                started, alias: query.model, includeUsage: query.includeUsage, audit: audit,
                firstChunkFields: ["rag_context": ragContext])
        }
        let (result, _) = try await router.call(
            model: query.model, kind: .chat, endpoint: .chat, body: body, identity: identity, audit: audit,
            requestID: requestID
        ) { try await $0.send($1) }
        let out = result.serialized(replacing: [
            ("id", .string(RandomID.chatCompletionID())),
            ("created", .number(JSONNumber(Int(Date().timeIntervalSince1970)))),
            ("model", .string(query.model)),
            ("rag_context", ragContext),
        ])
        if let usage = result.usage {
            audit.update {
                $0.promptTokens = usage.promptTokens
                $0.completionTokens = usage.completionTokens
                $0.cachedTokens = usage.cachedTokens
            }
        }
        audit.markFirstByte()
        return RouterService.json(out)
    }
}
