import GatewayCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keys in PostgreSQL (table `api_keys`), by SHA-256 hash; a key's model allowlist is a `text[]` (NULL: every
/// model).
public struct PostgresAPIKeyStore: APIKeyStore {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    static let columns = "hash, tenant, label, status, created_at, expires_at, models, rpm, rpd, admin"

    public func lookup(hash: String) async throws -> APIKeyRecord? {
        try await records("SELECT \(unescaped: Self.columns) FROM api_keys WHERE hash = \(hash)").first
    }

    public func create(_ record: APIKeyRecord) async throws {
        try await store.execute(
            """
            INSERT INTO api_keys (hash, key_id, tenant, label, status, created_at, expires_at, models, rpm, rpd, admin)
            VALUES (\(record.hash), \(record.keyID), \(record.tenant), \(record.label), \(record.status.rawValue),
                \(record.createdAt.timeIntervalSince1970), \(record.expiresAt?.timeIntervalSince1970),
                \(record.models), \(record.rpm), \(record.rpd), \(record.admin))
            """)
    }

    public func list(tenant: String?) async throws -> [APIKeyRecord] {
        try await records(
            """
            SELECT \(unescaped: Self.columns) FROM api_keys
            WHERE \(tenant)::text IS NULL OR tenant = \(tenant)
            ORDER BY created_at DESC, hash
            """)
    }

    public func setStatus(keyID: String, status: APIKeyRecord.Status) async throws -> Bool {
        let rows = try await store.client.query(
            "UPDATE api_keys SET status = \(status.rawValue) WHERE key_id = \(keyID) OR hash = \(keyID) RETURNING 1",
            logger: store.logger
        ).collect()
        return !rows.isEmpty
    }

    func records(_ query: PostgresQuery) async throws -> [APIKeyRecord] {
        var records: [APIKeyRecord] = []
        let rows = try await store.client.query(query, logger: store.logger)
        for try await (hash, tenant, label, status, created, expires, models, rpm, rpd, admin) in rows.decode(
            (String, String, String, String, Double, Double?, [String]?, Int?, Int?, Bool).self)
        {
            records.append(
                APIKeyRecord(
                    hash: hash, tenant: tenant, label: label,
                    status: APIKeyRecord.Status(rawValue: status) ?? .disabled,
                    createdAt: Date(timeIntervalSince1970: created),
                    expiresAt: expires.map { Date(timeIntervalSince1970: $0) }, models: models, rpm: rpm, rpd: rpd,
                    admin: admin))
        }
        return records
    }
}
