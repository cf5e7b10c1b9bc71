import Synchronization

/// Per-target circuit breaker state machine (pure; time is passed in).
///
/// closed → (`failureThreshold` consecutive failures) → open for `openDuration` → half-open: one probe request
/// is let through; its success closes the circuit, its failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    public struct Settings: Sendable, Equatable {
        public var failureThreshold: Int
        public var openDuration: Duration
        public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(30)) {
            self.failureThreshold = max(1, failureThreshold)
            self.openDuration = openDuration
        }
    }

    public private(set) var state: State = .closed(consecutiveFailures: 0)
    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Whether a request may go to this target now. In half-open state, grants the single probe.
    public mutating func admit(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probeInFlight):
            if probeInFlight { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// Whether the target is currently taken out of rotation (without granting a probe).
    public func isOpen(now: ContinuousClock.Instant) -> Bool {
        switch state {
        case .closed: return false
        case .open(let until): return now < until
        case .halfOpen(let probeInFlight): return probeInFlight
        }
    }

    public mutating func recordSuccess() { state = .closed(consecutiveFailures: 0) }

    public mutating func recordFailure(now: ContinuousClock.Instant) {
        switch state {
        case .closed(let failures):
            if failures + 1 >= settings.failureThreshold {
                state = .open(until: now + settings.openDuration)
            } else {
                state = .closed(consecutiveFailures: failures + 1)
            }
        case .halfOpen, .open:
            state = .open(until: now + settings.openDuration)
        }
    }
}

/// The breakers of every target, shared by all requests of a process.
public final class CircuitBreakers: Sendable {
    let settings: CircuitBreaker.Settings
    let breakers: Mutex<[String: CircuitBreaker]> = Mutex([:])

    public init(settings: CircuitBreaker.Settings) { self.settings = settings }

    public func admit(_ target: String, now: ContinuousClock.Instant = .now) -> Bool {
        breakers.withLock { map in
            if map[target] == nil { return true }
            return map[target]!.admit(now: now)
        }
    }

    /// Whether `target`'s circuit is closed (it admits every attempt, without a probe).
    public func isClosed(_ target: String) -> Bool {
        breakers.withLock { map in
            guard let breaker = map[target] else { return true }
            if case .closed = breaker.state { return true }
            return false
        }
    }

    public func isOpen(_ target: String, now: ContinuousClock.Instant = .now) -> Bool {
        breakers.withLock { $0[target]?.isOpen(now: now) ?? false }
    }

    public func recordSuccess(_ target: String) {
        breakers.withLock { map in
            if map[target] != nil { map[target]!.recordSuccess() }
        }
    }

    public func recordFailure(_ target: String, now: ContinuousClock.Instant = .now) {
        breakers.withLock { map in
            map[target, default: CircuitBreaker(settings: settings)].recordFailure(now: now)
        }
    }

    public func state(_ target: String) -> CircuitBreaker.State {
        breakers.withLock { $0[target]?.state ?? .closed(consecutiveFailures: 0) }
    }
}
