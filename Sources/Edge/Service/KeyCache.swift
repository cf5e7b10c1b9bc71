import GatewayCore
import Synchronization

/// Caches key lookups (found and not found) for a short time, so the key store is not read on every request.
/// A revoked key stops working within the TTL.
public final class KeyCache: Sendable {
    struct Entry {
        var record: APIKeyRecord?
        var expires: ContinuousClock.Instant
    }

    let store: any APIKeyStore
    let ttl: Duration
    let entries: Mutex<[String: Entry]> = Mutex([:])
    let capacity = 50_000

    public init(store: any APIKeyStore, ttlSeconds: Double) {
        self.store = store
        self.ttl = .milliseconds(Int64(ttlSeconds * 1000))
    }

    /// The cached lookup of `hash` while it is fresh (`.some(nil)`: cached as not found); nil when not cached.
    public func cached(hash: String) -> APIKeyRecord?? {
        let now = ContinuousClock.now
        guard ttl > .zero, let entry = entries.withLock({ $0[hash] }), entry.expires > now else { return nil }
        return .some(entry.record)
    }

    public func lookup(hash: String) async throws -> APIKeyRecord? {
        if let cached = cached(hash: hash) { return cached }
        let now = ContinuousClock.now
        let record = try await store.lookup(hash: hash)
        if ttl > .zero {
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[hash] = Entry(record: record, expires: now + ttl)
            }
        }
        return record
    }
}
