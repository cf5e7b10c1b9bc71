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
        try await write(events, counting: true)
    }

    /// Without `RETURNING`, whose rows SQLiteNIO hands over one event-loop task each.
    public func append(_ events: [AuditEvent]) async throws {
        _ = try await write(events, counting: false)
    }

    func write(_ events: [AuditEvent], counting: Bool) async throws -> Int {
        var inserted = 0
        for start in stride(from: 0, to: events.count, by: 400) {
            let slice = events[start..<min(start + 400, events.count)]
            var sql = """
                INSERT OR IGNORE INTO request_log (request_id, ts, tenant, key_id, alias, provider, provider_model,
                    outcome, http_status, prompt_tokens, completion_tokens, event, method, key_label, cached_tokens,
                    cost_pico) VALUES
                """
            var binds: [SQLiteData] = []
            for (index, event) in slice.enumerated() {
                // 16 parameters a row: 400 rows stay under SQLite's limit of 32766 parameters.
                sql += index == 0 ? " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ", (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                let json = String(decoding: try AuditCodec.encode(event), as: UTF8.self)
                binds += [
                    .text(event.requestID), .float(event.timestamp.timeIntervalSince1970),
                    SQLiteData(optional: event.tenant), SQLiteData(optional: event.keyID),
                    SQLiteData(optional: event.alias), SQLiteData(optional: event.provider),
                    SQLiteData(optional: event.providerModel), .text(event.outcome.rawValue),
                    .integer(numericCast(event.httpStatus)), SQLiteData(optional: event.promptTokens),
                    SQLiteData(optional: event.completionTokens), .text(json), .text(event.method),
                    SQLiteData(optional: event.keyLabel), SQLiteData(optional: event.cachedTokens),
                    event.cost.map { .integer(Int(clamping: $0.picodollars)) } ?? .null,
                ]
            }
            if counting {
                sql += " RETURNING request_id"
                inserted += try await store.rows(sql, binds).count
            } else {
                try await store.execute(sql, binds)
            }
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

    public func usage(_ query: UsageQuery) async throws -> UsageData {
        var filter = "method = 'POST' AND ts >= ? AND ts < ?"
        var binds: [SQLiteData] = [
            .float(query.start.timeIntervalSince1970), .float(query.end.timeIntervalSince1970),
        ]
        if let tenant = query.tenant {
            filter = "tenant = ? AND " + filter
            binds.insert(.text(tenant), at: 0)
        }
        let rows = try await store.rows(
            """
            SELECT CAST(ts / 86400 AS INTEGER) AS day, alias, key_id, MAX(key_label) AS key_label,
                COUNT(*) AS requests, SUM(outcome = 'success') AS successful,
                SUM(outcome IN ('error', 'stream_error')) AS failed, SUM(outcome = 'client_disconnect') AS cancelled,
                SUM(COALESCE(prompt_tokens, 0)) AS input, SUM(COALESCE(completion_tokens, 0)) AS output,
                SUM(COALESCE(cached_tokens, 0)) AS cached, SUM(COALESCE(cost_pico, 0)) AS cost,
                SUM(cost_pico IS NULL) AS unpriced
            FROM request_log WHERE \(filter)
            GROUP BY day, alias, key_id ORDER BY day, alias, key_id
            """, binds)
        let unpriced = try await store.rows(
            """
            SELECT DISTINCT provider, provider_model FROM request_log WHERE \(filter) AND cost_pico IS NULL
            ORDER BY provider, provider_model LIMIT 100
            """, binds)
        return UsageData(
            rows: rows.map { row in
                func int(_ name: String) -> Int { row.column(name)?.integer ?? 0 }
                var totals = UsageTotals()
                totals.requests = int("requests")
                totals.successful = int("successful")
                totals.failed = int("failed")
                totals.cancelled = int("cancelled")
                totals.inputTokens = int("input")
                totals.outputTokens = int("output")
                totals.cachedInputTokens = int("cached")
                totals.cost = USD(picodollars: Int128(int("cost")))
                totals.unpriced = int("unpriced")
                return UsageRow(
                    day: CalendarDay(daysSinceEpoch: int("day")), model: row.column("alias")?.string,
                    keyID: row.column("key_id")?.string, keyLabel: row.column("key_label")?.string, totals: totals)
            },
            unpricedModels: unpriced.compactMap { row in
                let name = [row.column("provider")?.string, row.column("provider_model")?.string].compactMap { $0 }
                    .joined(separator: "/")
                return name.isEmpty ? nil : name
            })
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
