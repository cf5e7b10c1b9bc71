/// The request log: one row per request id, written by the audit consumer.
public protocol RequestLog: Sendable {
    /// Insert events; an event whose request id is already present is ignored. Returns how many were new.
    @discardableResult
    func insert(_ events: [AuditEvent]) async throws -> Int
    /// `insert` without counting the new events, which a backend may do faster (the audit writers' path).
    func append(_ events: [AuditEvent]) async throws
    /// The most recent events, newest first, optionally of one tenant, with an id below `before` for paging.
    func recent(limit: Int, tenant: String?) async throws -> [AuditEvent]
    func find(requestID: String) async throws -> AuditEvent?
    /// The query's requests aggregated by UTC day, model alias and key, with the models left unpriced; only the
    /// events `UsageData.counts(_:in:)` accepts are counted.
    func usage(_ query: UsageQuery) async throws -> UsageData
}

extension RequestLog {
    public func append(_ events: [AuditEvent]) async throws { _ = try await insert(events) }
}
