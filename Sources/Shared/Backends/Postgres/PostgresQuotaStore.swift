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
/// window's end. The requests of this process that arrive while a statement for the same counters runs wait for
/// it and then go together as the next one (`Coalescer`): one statement, the function `quota_consume_batch`
/// (`PostgresGatewaySchema`), creates the missing counters, locks them all in key order, and admits the batch's
/// first requests, as many as every limit has room for, counting only those. So concurrent requests over the same
/// counters serialise on the row locks across processes, a refusal is counted nowhere, and each request's
/// decision and counts (`QuotaBatch`) are those of consuming one after another in arrival order, as
/// `MemoryQuotaStore` decides. A tenant's busy counters cost a statement per batch, not per request. The
/// statement commits asynchronously, so the locks are not held across a WAL flush.
///
/// Counters of ended windows are deleted at most once a minute per process, outside the requests' statements.
/// A deadlock PostgreSQL breaks (it cannot arise between consumers, who lock in one order) is retried.
public final class PostgresQuotaStore: QuotaStore {
    let store: PostgresStore
    /// Unix seconds of the last sweep of ended windows.
    let lastSweep: Mutex<Int> = Mutex(0)
    /// This process's concurrent requests over the same counters, one statement per batch.
    let batches = Coalescer<Step, (counts: [Int], admitted: Int)>()

    public init(store: PostgresStore) {
        self.store = store
    }

    public func consume(_ checks: [QuotaCheck], units: Int, now: Date) async throws -> QuotaDecision {
        let now = now.unixSeconds
        guard !checks.isEmpty else { return QuotaDecision(allowed: true, counters: [], exceeded: nil) }
        try await sweepIfDue(now: now)
        let step = Step(
            keys: checks.map { $0.counterKey(at: now) }, expires: checks.map { $0.window.end(of: now) },
            limits: checks.map(\.limit), units: units)
        let store = self.store
        // A list that names a counter twice is decided alone (its other callers would have to agree on it too).
        guard Set(step.keys).count == step.keys.count else {
            let (counts, admitted) = try await step.run(size: 1, on: store)
            return QuotaBatch(checks: checks, units: units, countsBefore: counts, admitted: admitted)
                .decision(at: 0, now: now)
        }
        let share = try await batches.run(step) { size in try await step.run(size: size, on: store) }
        return QuotaBatch(
            checks: checks, units: units, countsBefore: share.output.counts, admitted: share.output.admitted
        ).decision(at: share.position, now: now)
    }

    /// One `quota_consume_batch` call's arguments: the same for every request over the same counters in the same
    /// window.
    struct Step: Hashable, Sendable {
        var keys: [String]
        var expires: [Int]
        var limits: [Int]
        var units: Int

        /// The counts before the batch, in the order of `keys`, and how many of its `size` requests were admitted.
        func run(size: Int, on store: PostgresStore) async throws -> (counts: [Int], admitted: Int) {
            var attempt = 0
            while true {
                do {
                    let rows = try await store.client.query(
                        """
                        SELECT quota_consume_batch(\(keys)::text[], \(expires)::bigint[], \(limits)::bigint[], \
                        \(units), \(size))
                        """,
                        logger: store.logger
                    ).collect()
                    guard let answer = try rows.first?.decode([Int].self), answer.count == keys.count + 1,
                        let admitted = answer.last, (0...size).contains(admitted)
                    else {
                        throw QuotaStoreError.unexpectedAnswer
                    }
                    return (Array(answer.dropLast()), admitted)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "40P01" && attempt < 3 {
                    attempt += 1
                }
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
