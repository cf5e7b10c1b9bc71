import GatewayCore
import GatewaySchema
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// RAG ingestion jobs in PostgreSQL (table `rag_jobs`), one row per job holding its JSON as `jsonb`; always read
/// with the caller's tenant.
public struct PostgresRAGJobStore: RAGJobStore {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func save(_ job: RAGJob) async throws {
        try await store.execute(
            """
            INSERT INTO rag_jobs (id, tenant, job, updated_at)
            VALUES (\(job.id), \(job.tenant), \(PostgresJSON.jsonbText(job.json))::jsonb, \(job.updatedAt.timeIntervalSince1970))
            ON CONFLICT (id) DO UPDATE SET job = excluded.job, updated_at = excluded.updated_at
            """)
    }

    public func find(id: String, tenant: String) async throws -> RAGJob? {
        let rows = try await store.client.query(
            "SELECT job::text FROM rag_jobs WHERE id = \(id) AND tenant = \(tenant)", logger: store.logger)
        for try await text in rows.decode(String.self) {
            return (try? JSONParser.parse(text)).flatMap(RAGJob.init(json:))
        }
        return nil
    }
}
