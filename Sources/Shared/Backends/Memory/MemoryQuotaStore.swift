import GatewayCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Quota counters in process memory: exact and atomic for one process (embedded mode, tests).
public final class MemoryQuotaStore: QuotaStore {
    struct State {
        var counters: [String: Int] = [:]
        var lastSweep = 0
    }

    let state: Mutex<State> = Mutex(State())

    public init() {}

    public func consume(_ checks: [QuotaCheck], units: Int, now: Date) async throws -> QuotaDecision {
        consumeSync(checks, units: units, now: now.unixSeconds)
    }

    func consumeSync(_ checks: [QuotaCheck], units: Int, now: Int) -> QuotaDecision {
        state.withLock { state in
            if now - state.lastSweep >= 60 { sweep(&state, now: now) }
            var counters: [QuotaCounterState] = []
            counters.reserveCapacity(checks.count)
            var exceeded: QuotaCounterState?
            for check in checks {
                let used = state.counters[check.counterKey(at: now), default: 0]
                let counter = QuotaCounterState(check: check, used: used, resetAt: check.window.end(of: now))
                if exceeded == nil, used + units > check.limit { exceeded = counter }
                counters.append(counter)
            }
            if let exceeded { return QuotaDecision(allowed: false, counters: counters, exceeded: exceeded) }
            for index in counters.indices {
                state.counters[counters[index].check.counterKey(at: now), default: 0] += units
                counters[index].used += units
            }
            return QuotaDecision(allowed: true, counters: counters, exceeded: nil)
        }
    }

    /// Drop counters of windows that have ended.
    func sweep(_ state: inout State, now: Int) {
        state.lastSweep = now
        state.counters = state.counters.filter { key, _ in
            guard let at = key.lastIndex(of: "@"), let start = Int(key[key.index(after: at)...]) else { return false }
            let isDay = key[..<at].hasSuffix(":rpd")
            return start + (isDay ? 86_400 : 60) > now
        }
    }
}
