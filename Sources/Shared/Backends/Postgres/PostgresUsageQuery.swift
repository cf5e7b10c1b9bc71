import GatewayCore
import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A usage report's two statements over `request_log`, with `UsageData.aggregate`'s semantics: the POST requests
/// of the tenant (all when nil) in `[start, end)`, grouped by UTC day (`floor(ts / 86400)`, as `CalendarDay`
/// computes it), alias and key, ordered as the reference orders them (a missing alias or key first, text in
/// code-point order: `COLLATE "C"`); and the distinct `provider/model` names of the unpriced requests.
struct PostgresUsageQuery {
    var query: UsageQuery

    init(_ query: UsageQuery) {
        self.query = query
    }

    /// The shared `WHERE` condition, its values bound into `sql`.
    func condition(into sql: inout PostgresSQL) -> String {
        let tenant = sql.bind(query.tenant)
        return """
            (\(tenant)::text IS NULL OR tenant = \(tenant)) AND method = 'POST' \
            AND ts >= \(sql.bind(query.start.timeIntervalSince1970)) AND ts < \(sql.bind(query.end.timeIntervalSince1970))
            """
    }

    func run(on store: PostgresStore) async throws -> UsageData {
        var cells = PostgresSQL()
        let filter = condition(into: &cells)
        cells.append(
            """
            SELECT floor(ts / 86400)::bigint AS day, alias, key_id, max(key_label),
                count(*), count(*) FILTER (WHERE outcome = 'success'),
                count(*) FILTER (WHERE outcome IN ('error', 'stream_error')),
                count(*) FILTER (WHERE outcome = 'client_disconnect'),
                COALESCE(sum(prompt_tokens), 0)::bigint, COALESCE(sum(completion_tokens), 0)::bigint,
                COALESCE(sum(cached_tokens), 0)::bigint, COALESCE(sum(cost_pico), 0)::text,
                count(*) FILTER (WHERE cost_pico IS NULL)
            FROM request_log WHERE \(filter)
            GROUP BY day, alias, key_id
            ORDER BY day, alias COLLATE "C" NULLS FIRST, key_id COLLATE "C" NULLS FIRST
            """)
        var rows: [UsageRow] = []
        let cellRows = try await store.client.query(cells.query, logger: store.logger)
        for try await (
            day, alias, keyID, label, requests, successful, failed, cancelled, input, output, cached, cost,
            unpriced
        ) in cellRows.decode(
            (Int, String?, String?, String?, Int, Int, Int, Int, Int, Int, Int, String, Int).self)
        {
            var totals = UsageTotals()
            totals.requests = requests
            totals.successful = successful
            totals.failed = failed
            totals.cancelled = cancelled
            totals.inputTokens = input
            totals.outputTokens = output
            totals.cachedInputTokens = cached
            totals.cost = USD(picodollars: Int128(cost) ?? 0)
            totals.unpriced = unpriced
            rows.append(
                UsageRow(
                    day: CalendarDay(daysSinceEpoch: day), model: alias, keyID: keyID, keyLabel: label, totals: totals))
        }

        var names = PostgresSQL()
        let unpricedFilter = condition(into: &names)
        names.append(
            """
            SELECT name FROM (
                SELECT DISTINCT concat_ws('/', provider, provider_model) AS name
                FROM request_log WHERE \(unpricedFilter) AND cost_pico IS NULL) AS unpriced
            WHERE name <> '' ORDER BY name COLLATE "C" LIMIT 100
            """)
        var unpricedModels: [String] = []
        for try await name in try await store.client.query(names.query, logger: store.logger).decode(String.self) {
            unpricedModels.append(name)
        }
        return UsageData(rows: rows, unpricedModels: unpricedModels)
    }
}
