import GatewayCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Stored responses in PostgreSQL (table `responses`), one row per response id, their JSON kept as the text it
/// was saved as; every lookup is by id and tenant.
public struct PostgresResponseStore: ResponseStore {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func save(_ response: StoredResponse) async throws {
        try await store.execute(
            """
            INSERT INTO responses (id, tenant, created_at, response, conversation)
            VALUES (\(response.id), \(response.tenant), \(response.createdAt.timeIntervalSince1970),
                \(response.response), \(response.conversation))
            ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, created_at = excluded.created_at,
                response = excluded.response, conversation = excluded.conversation
            """)
    }

    public func find(id: String, tenant: String) async throws -> StoredResponse? {
        let rows = try await store.client.query(
            "SELECT created_at, response, conversation FROM responses WHERE id = \(id) AND tenant = \(tenant)",
            logger: store.logger)
        for try await (created, response, conversation) in rows.decode((Double, String, String).self) {
            return StoredResponse(
                id: id, tenant: tenant, createdAt: Date(timeIntervalSince1970: created), response: response,
                conversation: conversation)
        }
        return nil
    }

    public func delete(id: String, tenant: String) async throws -> Bool {
        let rows = try await store.client.query(
            "DELETE FROM responses WHERE id = \(id) AND tenant = \(tenant) RETURNING 1", logger: store.logger
        ).collect()
        return !rows.isEmpty
    }
}
