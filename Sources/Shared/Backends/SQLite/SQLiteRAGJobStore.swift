import GatewayCore
import GatewaySchema
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Ingestion jobs in SQLite (table `rag_jobs`), one row per job holding its JSON.
public struct SQLiteRAGJobStore: RAGJobStore {
    let store: SQLiteStore

    public func save(_ job: RAGJob) async throws {
        try await store.execute(
            """
            INSERT INTO rag_jobs (id, tenant, job, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET job = excluded.job, updated_at = excluded.updated_at
            """,
            [
                .text(job.id), .text(job.tenant), .text(job.json.jsonString),
                .float(job.updatedAt.timeIntervalSince1970),
            ])
    }

    public func find(id: String, tenant: String) async throws -> RAGJob? {
        let rows = try await store.rows(
            "SELECT job FROM rag_jobs WHERE id = ? AND tenant = ?", [.text(id), .text(tenant)])
        return rows.first?.column("job")?.string.flatMap { try? JSONParser.parse($0) }.flatMap(RAGJob.init(json:))
    }
}
