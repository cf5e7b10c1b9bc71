import GatewayCore
import Logging
import SQLiteNIO
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Embedded mode keeps quota counters in memory (exact, nothing on the hot path) and saves them to the SQLite
/// file every `interval` and at shutdown, restoring them at start-up: a restart does not reset a tenant's
/// daily count (a crash loses at most `interval` of counting).
public final class QuotaPersistence: Service {
    let quotas: MemoryQuotaStore
    let store: SQLiteStore
    let interval: Duration
    let logger: Logger

    public init(quotas: MemoryQuotaStore, store: SQLiteStore, interval: Duration = .seconds(10), logger: Logger) {
        self.quotas = quotas
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Load the saved counters of windows that have not ended.
    public func restore() async throws {
        let now = Int(Date().timeIntervalSince1970)
        let rows = try await store.rows(
            "SELECT counter_key, count FROM quota_counters WHERE expires_at > ?", [.integer(numericCast(now))])
        quotas.restore(
            rows.compactMap { row in
                guard let key = row.column("counter_key")?.string, let count = row.column("count")?.integer else {
                    return nil
                }
                return (key, Int(count))
            })
    }

    /// Replace the saved counters with the current ones.
    public func save() async throws {
        let now = Int(Date().timeIntervalSince1970)
        let counters = quotas.snapshot(now: now)
        try await store.execute("DELETE FROM quota_counters WHERE expires_at <= ?", [.integer(numericCast(now))])
        for start in stride(from: 0, to: counters.count, by: 300) {
            let slice = counters[start..<min(start + 300, counters.count)]
            var sql = "INSERT INTO quota_counters (counter_key, count, expires_at) VALUES "
            var binds: [SQLiteData] = []
            for (index, counter) in slice.enumerated() {
                sql += index == 0 ? "(?, ?, ?)" : ", (?, ?, ?)"
                binds += [
                    .text(counter.key), .integer(numericCast(counter.count)), .integer(numericCast(counter.expiresAt)),
                ]
            }
            sql += " ON CONFLICT (counter_key) DO UPDATE SET count = excluded.count, expires_at = excluded.expires_at"
            try await store.execute(sql, binds)
        }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                do { try await self.save() } catch {
                    self.logger.error("saving quota counters failed", metadata: ["error": "\(error)"])
                }
            }
        }
        do { try await save() } catch {
            logger.error("saving quota counters at shutdown failed", metadata: ["error": "\(error)"])
        }
    }
}
