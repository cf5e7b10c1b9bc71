import GatewayCore
import GatewaySchema
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keys in SQLite, by SHA-256 hash.
public struct SQLiteAPIKeyStore: APIKeyStore {
    let store: SQLiteStore

    public func lookup(hash: String) async throws -> APIKeyRecord? {
        try await store.rows("SELECT * FROM api_keys WHERE hash = ?", [.text(hash)]).first.map(Self.record)
    }

    public func create(_ record: APIKeyRecord) async throws {
        let models = record.models.map { JSONValue.array($0.map(JSONValue.string)).jsonString }
        try await store.execute(
            """
            INSERT INTO api_keys (hash, key_id, tenant, label, status, created_at, expires_at, models, rpm, rpd, admin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(record.hash), .text(record.keyID), .text(record.tenant), .text(record.label),
                .text(record.status.rawValue), .float(record.createdAt.timeIntervalSince1970),
                SQLiteData(optional: record.expiresAt?.timeIntervalSince1970), SQLiteData(optional: models),
                SQLiteData(optional: record.rpm), SQLiteData(optional: record.rpd), .integer(record.admin ? 1 : 0),
            ])
    }

    public func list(tenant: String?) async throws -> [APIKeyRecord] {
        if let tenant {
            return try await store.rows(
                "SELECT * FROM api_keys WHERE tenant = ? ORDER BY created_at DESC", [.text(tenant)]
            ).map(Self.record)
        }
        return try await store.rows("SELECT * FROM api_keys ORDER BY created_at DESC").map(Self.record)
    }

    public func setStatus(keyID: String, status: APIKeyRecord.Status) async throws -> Bool {
        let matched = try await store.rows(
            "UPDATE api_keys SET status = ? WHERE key_id = ? OR hash = ? RETURNING hash",
            [.text(status.rawValue), .text(keyID), .text(keyID)])
        return !matched.isEmpty
    }

    static func record(_ row: SQLiteRow) -> APIKeyRecord {
        let models: [String]? = row.column("models")?.string.flatMap { text in
            (try? JSONParser.parse(text))?.arrayValue?.compactMap(\.stringValue)
        }
        return APIKeyRecord(
            hash: row.column("hash")?.string ?? "", tenant: row.column("tenant")?.string ?? "",
            label: row.column("label")?.string ?? "",
            status: APIKeyRecord.Status(rawValue: row.column("status")?.string ?? "") ?? .disabled,
            createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0),
            expiresAt: row.column("expires_at")?.double.map { Date(timeIntervalSince1970: $0) },
            models: models, rpm: row.column("rpm")?.optionalInt, rpd: row.column("rpd")?.optionalInt,
            admin: (row.column("admin")?.integer ?? 0) != 0)
    }
}

/// Live routes in SQLite, as JSON definitions validated by whoever loads them.
public struct SQLiteRouteStore: RouteStore {
    let store: SQLiteStore

    public func loadAll() async throws -> [StoredRoute] {
        try await store.rows("SELECT alias, definition FROM routes ORDER BY alias").map { row in
            let text = row.column("definition")?.string ?? ""
            let definition = (try? JSONParser.parse(text)) ?? .string(text)
            return StoredRoute(alias: row.column("alias")?.string ?? "", definition: definition)
        }
    }

    public func put(_ route: StoredRoute) async throws {
        try await store.execute(
            """
            INSERT INTO routes (alias, definition, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (alias) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
            """,
            [.text(route.alias), .text(route.definition.jsonString), .float(Date().timeIntervalSince1970)])
    }

    public func delete(alias: String) async throws -> Bool {
        !(try await store.rows("DELETE FROM routes WHERE alias = ? RETURNING alias", [.text(alias)]).isEmpty)
    }
}
