import GatewayCore
import HTTPTypes
import Synchronization

/// A request the event-loop fast path admitted (key checked, quotas counted, first attempt perhaps made) and then
/// handed to the server's regular path, which continues it under the same request id and audit event instead of
/// admitting it again.
public struct EdgeHandoff: Sendable {
    public var requestID: String
    public var audit: AuditRecorder
    public var identity: Identity
    public var decision: QuotaDecision?
    /// The router's state of the request (its `DispatchPlan`).
    public var dispatch: any Sendable

    public init(
        requestID: String, audit: AuditRecorder, identity: Identity, decision: QuotaDecision?, dispatch: any Sendable
    ) {
        self.requestID = requestID
        self.audit = audit
        self.identity = identity
        self.decision = decision
        self.dispatch = dispatch
    }
}

/// Handoffs waiting for the server to read their request: the fast path stores one under a random id it puts in
/// the request's `x-switchboard-handoff` header, and `EdgeMiddleware` takes it. An id is 128 random bits that only
/// exist between the two, so a client cannot name one; one that was never taken (its connection closed first) is
/// dropped after a minute.
public final class EdgeHandoffs: Sendable {
    public static let header = HTTPField.Name("x-switchboard-handoff")!

    struct Waiting {
        var handoff: EdgeHandoff
        var since: ContinuousClock.Instant
    }

    let waiting = Mutex<[String: Waiting]>([:])

    public init() {}

    /// Keeps `handoff`; returns the id for the request's header.
    public func store(_ handoff: EdgeHandoff) -> String {
        let id = RandomID.base62(22)
        let now = ContinuousClock.now
        waiting.withLock { waiting in
            if waiting.count >= 64 { waiting = waiting.filter { now - $0.value.since < .seconds(60) } }
            waiting[id] = Waiting(handoff: handoff, since: now)
        }
        return id
    }

    /// The handoff stored under `id`, once.
    func take(_ id: String?) -> EdgeHandoff? {
        guard let id else { return nil }
        return waiting.withLock { $0.removeValue(forKey: id)?.handoff }
    }
}
