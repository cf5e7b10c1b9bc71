import GatewayCore
import GatewaySchema
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The request log in PostgreSQL (table `request_log`): one row per request id, the full event as `jsonb` next
/// to the columns usage reports aggregate (a U+0000, which neither `jsonb` nor `text` can
/// hold, is stored as U+FFFD: see `PostgresJSON`).
///
/// Inserts are idempotent (`ON CONFLICT (request_id) DO NOTHING RETURNING`), so an audit consumer that receives
/// a batch again, in this process or another, counts each request once. Rows keep their insertion order in an
/// identity column, which breaks ties between equal timestamps in `recent`.
public struct PostgresRequestLog: RequestLog {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    /// Rows per statement: 16 parameters a row stay well under PostgreSQL's 65,535.
    static let rowsPerStatement = 1000

    public func insert(_ events: [AuditEvent]) async throws -> Int {
        var inserted = 0
        for start in stride(from: 0, to: events.count, by: Self.rowsPerStatement) {
            var sql = PostgresSQL(
                """
                INSERT INTO request_log (request_id, ts, tenant, key_id, key_label, alias, provider, provider_model,
                    method, outcome, http_status, prompt_tokens, completion_tokens, cached_tokens, cost_pico, event)
                VALUES
                """)
            for (index, event) in events[start..<min(start + Self.rowsPerStatement, events.count)].enumerated() {
                let json = PostgresJSON.jsonbText(serialized: try AuditCodec.encode(event))
                func text(_ value: String?) -> String { sql.bind(value.map(PostgresJSON.clean)) }
                let values = [
                    text(event.requestID), sql.bind(event.timestamp.timeIntervalSince1970), text(event.tenant),
                    text(event.keyID), text(event.keyLabel), text(event.alias), text(event.provider),
                    text(event.providerModel), text(event.method), sql.bind(event.outcome.rawValue),
                    sql.bind(event.httpStatus), sql.bind(event.promptTokens), sql.bind(event.completionTokens),
                    sql.bind(event.cachedTokens), sql.bind(event.cost.map { String($0.picodollars) }) + "::numeric",
                    sql.bind(json) + "::jsonb",
                ]
                sql.append((index == 0 ? " (" : ", (") + values.joined(separator: ", ") + ")")
            }
            sql.append(" ON CONFLICT (request_id) DO NOTHING RETURNING 1")
            inserted += try await store.client.query(sql.query, logger: store.logger).collect().count
        }
        return inserted
    }

    public func recent(limit: Int, tenant: String?) async throws -> [AuditEvent] {
        try await events(
            """
            SELECT event::text FROM request_log WHERE \(tenant)::text IS NULL OR tenant = \(tenant)
            ORDER BY ts DESC, id DESC LIMIT \(limit)
            """)
    }

    public func find(requestID: String) async throws -> AuditEvent? {
        try await events("SELECT event::text FROM request_log WHERE request_id = \(requestID)").first
    }

    public func usage(_ query: UsageQuery) async throws -> UsageData {
        try await PostgresUsageQuery(query).run(on: store)
    }

    func events(_ query: PostgresQuery) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        for try await text in try await store.client.query(query, logger: store.logger).decode(String.self) {
            if let event = try? AuditCodec.decode(Array(text.utf8)) { events.append(event) }
        }
        return events
    }
}
