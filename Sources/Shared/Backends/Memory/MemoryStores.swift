import GatewayCore
import Synchronization

/// Keys in memory (tests).
public final class MemoryAPIKeyStore: APIKeyStore {
    let records: Mutex<[String: APIKeyRecord]> = Mutex([:])
    public init(_ initial: [APIKeyRecord] = []) {
        records.withLock { map in for record in initial { map[record.hash] = record } }
    }
    public func lookup(hash: String) async throws -> APIKeyRecord? { records.withLock { $0[hash] } }
    public func create(_ record: APIKeyRecord) async throws { records.withLock { $0[record.hash] = record } }
    public func list(tenant: String?) async throws -> [APIKeyRecord] {
        records.withLock { map in
            map.values.filter { tenant == nil || $0.tenant == tenant }.sorted { $0.createdAt > $1.createdAt }
        }
    }
    public func setStatus(keyID: String, status: APIKeyRecord.Status) async throws -> Bool {
        records.withLock { map in
            guard let hash = map.keys.first(where: { $0 == keyID || APIKey.keyID(forHash: $0) == keyID }) else {
                return false
            }
            map[hash]!.status = status
            return true
        }
    }
}

/// Live routes in memory (tests).
public final class MemoryRouteStore: RouteStore {
    let routes: Mutex<[String: StoredRoute]> = Mutex([:])
    public init() {}
    public func loadAll() async throws -> [StoredRoute] { routes.withLock { $0.values.sorted { $0.alias < $1.alias } } }
    public func put(_ route: StoredRoute) async throws { routes.withLock { $0[route.alias] = route } }
    public func delete(alias: String) async throws -> Bool { routes.withLock { $0.removeValue(forKey: alias) != nil } }
}

/// The request log in memory (tests).
public final class MemoryRequestLog: RequestLog {
    let events: Mutex<[AuditEvent]> = Mutex([])
    public init() {}
    public func insert(_ batch: [AuditEvent]) async throws -> Int {
        events.withLock { events in
            var inserted = 0
            for event in batch where !events.contains(where: { $0.requestID == event.requestID }) {
                events.append(event)
                inserted += 1
            }
            return inserted
        }
    }
    public func recent(limit: Int, tenant: String?) async throws -> [AuditEvent] {
        events.withLock { Array($0.filter { tenant == nil || $0.tenant == tenant }.suffix(limit).reversed()) }
    }
    public func find(requestID: String) async throws -> AuditEvent? {
        events.withLock { $0.first { $0.requestID == requestID } }
    }
    public func usage(_ query: UsageQuery) async throws -> UsageData {
        events.withLock { UsageData.aggregate($0, query: query) }
    }
}
