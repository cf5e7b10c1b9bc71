import GatewayCore
import GatewayRouter
import Logging
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs asynchronous ingestion jobs from the `rag-ingest` queue, one document at a time, recording progress
/// and per-document errors in the job. A job's message is acknowledged once every document was tried, so a
/// crash re-runs the job (re-ingesting a document replaces its chunks, so that is safe). Each job produces one
/// audit event (request id = job id) with its embedding tokens.
public final class RAGIngestWorker: Service {
    let router: RouterService
    let vectors: any VectorStore
    let jobs: any RAGJobStore
    let queue: any MessageQueue
    let sink: any AuditSink
    let logger: Logger

    public init(
        router: RouterService, vectors: any VectorStore, jobs: any RAGJobStore, queue: any MessageQueue,
        sink: any AuditSink, logger: Logger
    ) {
        self.router = router
        self.vectors = vectors
        self.jobs = jobs
        self.queue = queue
        self.sink = sink
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await processNext(wait: .milliseconds(500))
        }
    }

    /// Receives and runs at most one job; returns whether there was one.
    @discardableResult
    public func processNext(wait: Duration) async -> Bool {
        let deliveries: [QueueDelivery]
        do {
            deliveries = try await queue.receive(topic: .ragIngest, max: 1, wait: wait)
        } catch {
            logger.error("rag-ingest queue receive failed", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(500))
            return false
        }
        guard let delivery = deliveries.first else { return false }
        do {
            try await process(delivery.payload)
            try await queue.acknowledge([delivery.receipt], topic: .ragIngest)
        } catch {
            // The job store or the queue failed: leave the message for redelivery.
            logger.error("rag-ingest job failed; it will be retried", metadata: ["error": "\(error)"])
        }
        return true
    }

    /// Runs the job of one `rag-ingest` message, however it was delivered (this worker's queue, or an SQS event
    /// in AWS mode). Throws when the job could not be recorded, so that the message is delivered again; an
    /// undecodable message is logged and dropped.
    public func process(_ payload: [UInt8]) async throws {
        if let message = RAGJobMessage(decoding: payload) {
            try await run(message)
        } else {
            logger.error("undecodable rag-ingest message dropped", metadata: ["bytes": "\(payload.count)"])
        }
    }

    func run(_ message: RAGJobMessage) async throws {
        let request = message.request
        var job =
            try await jobs.find(id: message.jobID, tenant: message.identity.tenant)
            ?? RAGJob(
                id: message.jobID, tenant: message.identity.tenant, indexName: request.indexName,
                documentsTotal: request.documents.count, createdAt: Date())
        job.status = .running
        job.documentsIngested = 0
        job.documentsFailed = 0
        job.chunks = 0
        job.embeddingTokens = 0
        job.errors = []
        job.updatedAt = Date()
        try await jobs.save(job)
        let audit = AuditRecorder(requestID: message.jobID)
        audit.update {
            $0.method = "POST"
            $0.path = "/v1/rag/ingest"
            $0.tenant = message.identity.tenant
            $0.keyID = message.identity.keyID
            $0.keyLabel = message.identity.keyLabel
            $0.alias = request.embeddingModel
        }
        let ingestor = Ingestor(embedder: Embedder(router: router), vectors: vectors)
        let namespace = VectorNamespace(tenant: message.identity.tenant, index: request.indexName)
        for document in request.documents {
            do {
                let outcome = try await ingestor.ingest(
                    [document], chunker: request.chunker, model: request.embeddingModel, namespace: namespace,
                    identity: message.identity, audit: audit, requestID: message.jobID)
                job.documentsIngested += 1
                job.chunks += outcome.chunks
                job.embeddingTokens += outcome.tokens
            } catch {
                job.documentsFailed += 1
                let text = (error as? GatewayError)?.message ?? "ingestion failed"
                job.errors.append(.init(key: document.key, message: text))
            }
            job.updatedAt = Date()
            try await jobs.save(job)
        }
        job.finish(at: Date())
        try await jobs.save(job)
        audit.update { $0.promptTokens = job.embeddingTokens }
        if let event = audit.finish(httpStatus: job.status == .failed ? 502 : 200, clientDisconnected: false) {
            sink.emit(event)
        }
    }
}
