import GatewayCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Quota counters in process memory: exact and atomic for one process (embedded mode, tests).
public final class MemoryQuotaStore: ImmediateQuotaStore {
    struct State {
        var counters: [String: Int] = [:]
        var lastSweep = 0
    }

    let state: Mutex<State> = Mutex(State())

    public init() {}

    public func consume(_ checks: [QuotaCheck], units: Int, now: Date) async throws -> QuotaDecision {
        consumeNow(checks, units: units, now: now.unixSeconds)
    }

    public func consumeNow(_ checks: [QuotaCheck], units: Int, now: Int) -> QuotaDecision {
        // Built once, outside the lock.
        let keys = checks.map { $0.counterKey(at: now) }
        return state.withLock { state in
            if now - state.lastSweep >= 60 { sweep(&state, now: now) }
            var counters: [QuotaCounterState] = []
            counters.reserveCapacity(checks.count)
            var exceeded: QuotaCounterState?
            for (check, key) in zip(checks, keys) {
                let used = state.counters[key, default: 0]
                let counter = QuotaCounterState(check: check, used: used, resetAt: check.window.end(of: now))
                if exceeded == nil, used + units > check.limit { exceeded = counter }
                counters.append(counter)
            }
            if let exceeded { return QuotaDecision(allowed: false, counters: counters, exceeded: exceeded) }
            for index in counters.indices {
                state.counters[keys[index], default: 0] += units
                counters[index].used += units
            }
            return QuotaDecision(allowed: true, counters: counters, exceeded: nil)
        }
    }

    /// Counters of windows that have not ended at `now` (unix seconds): counter key, count, window end.
    public func snapshot(now: Int) -> [(key: String, count: Int, expiresAt: Int)] {
        state.withLock { state in
            state.counters.compactMap { key, count in
                guard let end = Self.windowEnd(of: key), end > now else { return nil }
                return (key, count, end)
            }
        }
    }

    /// Adds counters saved by `snapshot` (after a restart), keeping the larger count where both exist.
    public func restore(_ counters: [(key: String, count: Int)]) {
        state.withLock { state in
            for counter in counters {
                state.counters[counter.key] = max(state.counters[counter.key] ?? 0, counter.count)
            }
        }
    }

    /// The end of the window a counter key (`scope@windowStart`) belongs to.
    static func windowEnd(of key: String) -> Int? {
        guard let at = key.lastIndex(of: "@"), let start = Int(key[key.index(after: at)...]) else { return nil }
        return start + (key[..<at].hasSuffix(":rpd") ? 86_400 : 60)
    }

    /// Drop counters of windows that have ended.
    func sweep(_ state: inout State, now: Int) {
        state.lastSweep = now
        state.counters = state.counters.filter { key, _ in (Self.windowEnd(of: key) ?? 0) > now }
    }
}
