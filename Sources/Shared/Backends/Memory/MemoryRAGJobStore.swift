import GatewayCore
import Synchronization

/// Ingestion jobs in memory (tests).
public final class MemoryRAGJobStore: RAGJobStore {
    let jobs: Mutex<[String: RAGJob]> = Mutex([:])
    public init() {}
    public func save(_ job: RAGJob) async throws { jobs.withLock { $0[job.id] = job } }
    public func find(id: String, tenant: String) async throws -> RAGJob? {
        jobs.withLock { $0[id] }.flatMap { $0.tenant == tenant ? $0 : nil }
    }
}
