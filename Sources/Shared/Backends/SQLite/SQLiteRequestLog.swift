import GatewayCore
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The request log in SQLite: one row per request id (inserts are idempotent), the full event as JSON.
public struct SQLiteRequestLog: RequestLog {
    let store: SQLiteStore

    public func insert(_ events: [AuditEvent]) async throws -> Int {
        var inserted = 0
        for start in stride(from: 0, to: events.count, by: 400) {
            let slice = events[start..<min(start + 400, events.count)]
            var sql = """
                INSERT OR IGNORE INTO request_log (request_id, ts, tenant, key_id, alias, provider, provider_model,
                    outcome, http_status, prompt_tokens, completion_tokens, event) VALUES
                """
            var binds: [SQLiteData] = []
            for (index, event) in slice.enumerated() {
                sql += index == 0 ? " (?,?,?,?,?,?,?,?,?,?,?,?)" : ", (?,?,?,?,?,?,?,?,?,?,?,?)"
                let json = String(decoding: try AuditCodec.encode(event), as: UTF8.self)
                binds += [
                    .text(event.requestID), .float(event.timestamp.timeIntervalSince1970),
                    SQLiteData(optional: event.tenant), SQLiteData(optional: event.keyID),
                    SQLiteData(optional: event.alias), SQLiteData(optional: event.provider),
                    SQLiteData(optional: event.providerModel), .text(event.outcome.rawValue),
                    .integer(numericCast(event.httpStatus)), SQLiteData(optional: event.promptTokens),
                    SQLiteData(optional: event.completionTokens), .text(json),
                ]
            }
            sql += " RETURNING request_id"
            inserted += try await store.rows(sql, binds).count
        }
        return inserted
    }

    public func recent(limit: Int, tenant: String?) async throws -> [AuditEvent] {
        let rows: [SQLiteRow]
        if let tenant {
            rows = try await store.rows(
                "SELECT event FROM request_log WHERE tenant = ? ORDER BY ts DESC, rowid DESC LIMIT ?",
                [.text(tenant), .integer(numericCast(limit))])
        } else {
            rows = try await store.rows(
                "SELECT event FROM request_log ORDER BY ts DESC, rowid DESC LIMIT ?", [.integer(numericCast(limit))])
        }
        return rows.compactMap(Self.event)
    }

    public func find(requestID: String) async throws -> AuditEvent? {
        try await store.rows("SELECT event FROM request_log WHERE request_id = ?", [.text(requestID)]).first.flatMap(
            Self.event)
    }

    /// Rows in the log (for tests and `requests` tooling).
    public func count() async throws -> Int {
        Int(try await store.rows("SELECT COUNT(*) AS n FROM request_log").first?.column("n")?.integer ?? 0)
    }

    static func event(_ row: SQLiteRow) -> AuditEvent? {
        guard let text = row.column("event")?.string else { return nil }
        return try? AuditCodec.decode(Array(text.utf8))
    }
}
