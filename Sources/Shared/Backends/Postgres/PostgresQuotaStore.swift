import GatewayCore
import PostgresNIO
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Quota counters in PostgreSQL (table `quota_counters`), exact across every process sharing the database.
///
/// Counters are keyed as `MemoryQuotaStore` keys them (`scope@windowStart`, `QuotaCheck.counterKey`) with their
/// window's end. One `consume` is one statement, the function `quota_consume` (`PostgresGatewaySchema`): it
/// creates the missing counters, locks all of the request's counters in key order, and adds the units to all of
/// them or, when any limit would be passed, to none; so concurrent requests over the same counters serialise on
/// the row locks, and a refusal is counted nowhere. Its transaction commits asynchronously (migration 3), so the
/// locks are not held across a WAL flush. The decision is computed again here from the counts it
/// returns, with `MemoryQuotaStore`'s rule (the first check whose `used + units` passes its limit refuses).
///
/// Counters of ended windows are deleted at most once a minute per process, outside the requests' statements.
/// A deadlock PostgreSQL breaks (it cannot arise between consumers, who lock in one order) is retried.
public final class PostgresQuotaStore: QuotaStore {
    let store: PostgresStore
    /// Unix seconds of the last sweep of ended windows.
    let lastSweep: Mutex<Int> = Mutex(0)

    public init(store: PostgresStore) {
        self.store = store
    }

    public func consume(_ checks: [QuotaCheck], units: Int, now: Date) async throws -> QuotaDecision {
        let now = now.unixSeconds
        guard !checks.isEmpty else { return QuotaDecision(allowed: true, counters: [], exceeded: nil) }
        try await sweepIfDue(now: now)
        let used = try await consumeRetryingDeadlocks(checks, units: units, now: now)
        var counters = zip(checks, used).map { check, used in
            QuotaCounterState(check: check, used: used, resetAt: check.window.end(of: now))
        }
        if let exceeded = counters.first(where: { $0.used + units > $0.check.limit }) {
            return QuotaDecision(allowed: false, counters: counters, exceeded: exceeded)
        }
        for index in counters.indices { counters[index].used += units }
        return QuotaDecision(allowed: true, counters: counters, exceeded: nil)
    }

    /// The counts before this request, in the order of `checks`.
    func consumeRetryingDeadlocks(_ checks: [QuotaCheck], units: Int, now: Int) async throws -> [Int] {
        let keys = checks.map { $0.counterKey(at: now) }
        let expires = checks.map { $0.window.end(of: now) }
        let limits = checks.map(\.limit)
        var attempt = 0
        while true {
            do {
                let rows = try await store.client.query(
                    "SELECT quota_consume(\(keys)::text[], \(expires)::bigint[], \(limits)::bigint[], \(units))",
                    logger: store.logger
                ).collect()
                guard let used = try rows.first?.decode([Int].self), used.count == checks.count else {
                    throw QuotaStoreError.unexpectedAnswer
                }
                return used
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Deletes the counters of windows that ended, once a minute at most.
    func sweepIfDue(now: Int) async throws {
        let due = lastSweep.withLock { last in
            guard now - last >= 60 else { return false }
            last = now
            return true
        }
        guard due else { return }
        try await store.execute("DELETE FROM quota_counters WHERE expires_at <= \(now)")
    }

    enum QuotaStoreError: Error {
        case unexpectedAnswer
    }
}
