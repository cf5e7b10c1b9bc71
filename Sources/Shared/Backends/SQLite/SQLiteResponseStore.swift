import GatewayCore
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Stored responses in SQLite, one row per response id; every lookup is by id and tenant.
public struct SQLiteResponseStore: ResponseStore {
    let store: SQLiteStore

    public func save(_ response: StoredResponse) async throws {
        try await store.execute(
            """
            INSERT OR REPLACE INTO responses (id, tenant, created_at, response, conversation) VALUES (?, ?, ?, ?, ?)
            """,
            [
                .text(response.id), .text(response.tenant), .float(response.createdAt.timeIntervalSince1970),
                .text(response.response), .text(response.conversation),
            ])
    }

    public func find(id: String, tenant: String) async throws -> StoredResponse? {
        let rows = try await store.rows(
            "SELECT created_at, response, conversation FROM responses WHERE id = ? AND tenant = ?",
            [.text(id), .text(tenant)])
        guard let row = rows.first, let created = row.column("created_at")?.double,
            let response = row.column("response")?.string, let conversation = row.column("conversation")?.string
        else { return nil }
        return StoredResponse(
            id: id, tenant: tenant, createdAt: Date(timeIntervalSince1970: created), response: response,
            conversation: conversation)
    }

    public func delete(id: String, tenant: String) async throws -> Bool {
        try await !store.rows(
            "DELETE FROM responses WHERE id = ? AND tenant = ? RETURNING id", [.text(id), .text(tenant)]
        ).isEmpty
    }
}
