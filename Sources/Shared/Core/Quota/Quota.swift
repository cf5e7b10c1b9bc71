#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A fixed counting window aligned to UTC: minutes start at :00, days at midnight UTC.
public enum QuotaWindow: String, Sendable, Hashable, CaseIterable {
    case minute
    case day

    public var seconds: Int { self == .minute ? 60 : 86_400 }

    /// Start of the window containing `unixSeconds`.
    public func start(of unixSeconds: Int) -> Int { unixSeconds - ((unixSeconds % seconds) + seconds) % seconds }

    /// End (exclusive) of the window containing `unixSeconds`.
    public func end(of unixSeconds: Int) -> Int { start(of: unixSeconds) + seconds }
}

/// One limit to check: at most `limit` units per `window` for the counter named `scope`.
public struct QuotaCheck: Sendable, Hashable {
    /// Counter name, e.g. `tenant:t_acme:rpm` or `key:key_0a1b…:rpd`.
    public var scope: String
    public var limit: Int
    public var window: QuotaWindow

    public init(scope: String, limit: Int, window: QuotaWindow) {
        self.scope = scope
        self.limit = limit
        self.window = window
    }

    /// The storage key of the counter for the window containing `unixSeconds`.
    public func counterKey(at unixSeconds: Int) -> String { "\(scope)@\(window.start(of: unixSeconds))" }
}

/// State of one counter after a consume attempt.
public struct QuotaCounterState: Sendable, Hashable {
    public var check: QuotaCheck
    /// Units used in the current window, including this request when it was admitted.
    public var used: Int
    /// Unix seconds when the window resets.
    public var resetAt: Int

    public init(check: QuotaCheck, used: Int, resetAt: Int) {
        self.check = check
        self.used = used
        self.resetAt = resetAt
    }

    public var remaining: Int { max(0, check.limit - used) }
}

/// The outcome of consuming units against several limits as one atomic step.
public struct QuotaDecision: Sendable, Hashable {
    public var allowed: Bool
    public var counters: [QuotaCounterState]
    /// The first limit that refused the request.
    public var exceeded: QuotaCounterState?

    public init(allowed: Bool, counters: [QuotaCounterState], exceeded: QuotaCounterState?) {
        self.allowed = allowed
        self.counters = counters
        self.exceeded = exceeded
    }

    /// Seconds until the refusing window resets (for `Retry-After`).
    public func retryAfter(now unixSeconds: Int) -> Int { max(1, (exceeded?.resetAt ?? unixSeconds + 1) - unixSeconds) }

    /// The counter that OpenAI's `x-ratelimit-*-requests` headers describe: the one with the fewest remaining
    /// requests (ties: the shortest window).
    public var tightest: QuotaCounterState? {
        counters.min { a, b in
            a.remaining != b.remaining ? a.remaining < b.remaining : a.check.window.seconds < b.check.window.seconds
        }
    }
}

/// Quota counters. `consume` checks every limit and, only if all admit, counts the units against all of them,
/// as one atomic step: a refused request is not counted anywhere.
public protocol QuotaStore: Sendable {
    func consume(_ checks: [QuotaCheck], units: Int, now: Date) async throws -> QuotaDecision
}

/// A quota store that decides without suspending (counters in memory), for the event-loop fast path.
public protocol ImmediateQuotaStore: QuotaStore {
    /// `consume`, at `now` in Unix seconds.
    func consumeNow(_ checks: [QuotaCheck], units: Int, now: Int) -> QuotaDecision
}
