import GatewayBackends
import GatewayCore
import Synchronization

/// A `MemoryRequestLog` that records every event it is given, duplicates included (the log itself keeps one per
/// request id, so only this shows whether a request produced two events), and refuses one request id if asked,
/// as a failing row would.
final class ObservedRequestLog: RequestLog {
    let inner = MemoryRequestLog()
    let refused: String?
    let given = Mutex<[AuditEvent]>([])

    init(refusing refused: String? = nil) { self.refused = refused }

    /// Every event given so far, in order.
    var everyEventGiven: [AuditEvent] { given.withLock { $0 } }

    func insert(_ events: [AuditEvent]) async throws -> Int {
        if let refused, events.contains(where: { $0.requestID == refused }) { throw TestFailure("refused") }
        given.withLock { $0 += events }
        return try await inner.insert(events)
    }

    func recent(limit: Int, tenant: String?) async throws -> [AuditEvent] {
        try await inner.recent(limit: limit, tenant: tenant)
    }

    func find(requestID: String) async throws -> AuditEvent? { try await inner.find(requestID: requestID) }

    func usage(_ query: UsageQuery) async throws -> UsageData { try await inner.usage(query) }
}
