import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Quota counters in a DynamoDB table keyed by `counter` (S, `QuotaCheck.counterKey`), with `used` (N) and
/// `expiresAt` (N, the table's TTL attribute: the window's end plus an hour).
///
/// One check is one conditional `UpdateItem` (`ADD used :units` if `attribute_not_exists(used) OR used <= limit -
/// units`). Several are first read (strongly consistent): counters only grow within a window, so counts that
/// refuse the request refuse it for good, at the price of reads only. Otherwise one `TransactWriteItems` with the
/// same conditions counts the request on every counter or, when any limit would be passed, on none; the decision
/// reports the counts read before it plus the request. A cancelled transaction's reasons name the refusing counter (its old value comes with
/// `ReturnValuesOnConditionCheckFailure`), and a transaction cancelled only by conflicts with concurrent ones is
/// tried again with backoff. The decision follows `MemoryQuotaStore`'s rule: the first check whose
/// `used + units` passes its limit refuses.
///
/// The transaction carries a `ClientRequestToken`, so the client's retry after a lost answer cannot count twice.
/// A single `UpdateItem` has no such token: when its answer is lost (a timeout or a 5xx after the write) the
/// retry may count the request a second time — it errs towards refusing early, never towards admitting more.
public struct DynamoDBQuotaStore: QuotaStore {
    public let client: DynamoDBClient
    public let table: String
    /// Transactions cancelled by conflicts alone are retried this many times.
    let conflictRetries = 12

    public init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    /// Seconds a counter outlives its window (DynamoDB deletes expired items within a few days anyway).
    static let expiryMargin = 3600

    public func consume(_ checks: [QuotaCheck], units: Int, now date: Date) async throws -> QuotaDecision {
        let now = date.unixSeconds
        guard !checks.isEmpty else { return QuotaDecision(allowed: true, counters: [], exceeded: nil) }
        // The tightest limit of each counter (a counter may be checked twice with different limits).
        var limits: [String: (check: QuotaCheck, max: Int)] = [:]
        for check in checks {
            let key = check.counterKey(at: now)
            let max = check.limit - units
            if limits[key].map({ max < $0.max }) ?? true { limits[key] = (check, max) }
        }
        if limits.values.contains(where: { $0.max < 0 }) {
            // Some limit is below the units alone: refused whatever the counts, nothing to write.
            return Self.decide(checks, units: units, now: now, used: try await read(Array(limits.keys)))
        }
        if limits.count == 1, let only = limits.first {
            return try await consumeOne(only.key, only.value.check, max: only.value.max, checks, units: units, now: now)
        }
        return try await consumeAll(limits, checks, units: units, now: now)
    }

    func update(_ check: QuotaCheck, max: Int, units: Int, now: Int) -> DynamoDBExpression {
        DynamoDBExpression(
            "", names: ["#used": "used", "#expires": "expiresAt"],
            values: [
                ":units": .number(units), ":max": .number(max),
                ":expires": .number(check.window.end(of: now) + Self.expiryMargin),
            ])
    }

    static let updateText = "ADD #used :units SET #expires = :expires"
    static let conditionText = "attribute_not_exists(#used) OR #used <= :max"

    func consumeOne(
        _ key: String, _ check: QuotaCheck, max: Int, _ checks: [QuotaCheck], units: Int, now: Int
    ) async throws -> QuotaDecision {
        do {
            let new = try await client.updateItem(
                table: table, key: ["counter": .s(key)], update: Self.updateText, condition: Self.conditionText,
                placeholders: update(check, max: max, units: units, now: now), returnValues: "ALL_NEW",
                returnOldOnFailure: true)
            let used = (new["used"]?.intValue ?? units) - units
            return Self.decide(checks, units: units, now: now, used: [key: used], admitted: true)
        } catch let error as AWSServiceError where error.code == "ConditionalCheckFailedException" {
            var used: [String: Int] = [:]
            if let item = error.details["Item"].flatMap(DynamoDBAttributeValue.item(wire:)),
                let value = item["used"]?.intValue
            {
                used[key] = value
            } else {
                used = try await read([key])
            }
            return Self.decide(checks, units: units, now: now, used: used, refusedKey: key)
        }
    }

    func consumeAll(
        _ limits: [String: (check: QuotaCheck, max: Int)], _ checks: [QuotaCheck], units: Int, now: Int
    ) async throws -> QuotaDecision {
        let keys = limits.keys.sorted()
        let actions = keys.map { key in
            let limit = limits[key]!
            return DynamoDBTransactItem.update(
                table: table, key: ["counter": .s(key)], update: Self.updateText, condition: Self.conditionText,
                placeholders: update(limit.check, max: limit.max, units: units, now: now), returnOldOnFailure: true)
        }
        var attempt = 0
        while true {
            // Counters only grow within their window, so a refusal by counts read now is final: refused requests
            // (a client hammering past its limit) cost reads, not transactional writes.
            let estimate = Self.decide(checks, units: units, now: now, used: try await read(keys))
            guard estimate.allowed else { return estimate }
            do {
                try await client.transactWrite(actions, clientRequestToken: UUID().uuidString)
                return estimate
            } catch let error as AWSServiceError where error.code == "TransactionCanceledException" {
                let reasons = DynamoDBCancellationReason.reasons(of: error)
                if let refused = reasons.indices.first(where: { reasons[$0].code == "ConditionalCheckFailed" }) {
                    var used = try await read(keys)
                    for (index, reason) in reasons.enumerated() where index < keys.count {
                        if let value = reason.item?["used"]?.intValue { used[keys[index]] = value }
                    }
                    return Self.decide(
                        checks, units: units, now: now, used: used,
                        refusedKey: refused < keys.count ? keys[refused] : nil)
                }
                attempt += 1
                guard attempt <= conflictRetries else { throw error }
                let delay = client.json.retryPolicy.delay(
                    beforeRetry: min(attempt, 5), random: Double.random(in: 0..<1))
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// The counters' values, read strongly consistent (0 for counters that do not exist).
    func read(_ keys: [String]) async throws -> [String: Int] {
        try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for key in keys {
                group.addTask {
                    let item = try await client.getItem(table: table, key: ["counter": .s(key)], consistent: true)
                    return (key, item?["used"]?.intValue ?? 0)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }

    /// The decision from the counts before this request. `admitted`: the service counted the request (report the
    /// counts with it). Otherwise the first check whose count plus `units` passes its limit refuses; when the
    /// counts read back no longer show it (they moved meanwhile), the check of `refusedKey` does.
    static func decide(
        _ checks: [QuotaCheck], units: Int, now: Int, used: [String: Int], admitted: Bool = false,
        refusedKey: String? = nil
    ) -> QuotaDecision {
        var counters = checks.map { check in
            QuotaCounterState(
                check: check, used: used[check.counterKey(at: now)] ?? 0, resetAt: check.window.end(of: now))
        }
        if !admitted {
            let exceeded =
                counters.first { $0.used + units > $0.check.limit }
                ?? counters.first { $0.check.counterKey(at: now) == refusedKey }
            if let exceeded { return QuotaDecision(allowed: false, counters: counters, exceeded: exceeded) }
        }
        for index in counters.indices { counters[index].used += units }
        return QuotaDecision(allowed: true, counters: counters, exceeded: nil)
    }
}
