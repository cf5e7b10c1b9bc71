import GatewayCore
import GatewayProviders
import GatewaySchema
import Logging
import Metrics
import Synchronization

/// Tries a request's candidate targets in order with bounded retries, backoff and circuit breaking, recording
/// every attempt in the audit event. Only failures before anything reached the client are retried.
public struct Dispatcher: Sendable {
    let registry: ProviderRegistry
    let breakers: CircuitBreakers
    let retry: GatewayConfig.Retry

    public init(registry: ProviderRegistry, breakers: CircuitBreakers, retry: GatewayConfig.Retry) {
        self.registry = registry
        self.breakers = breakers
        self.retry = retry
    }

    /// Healthy candidates first (in their order), then those whose circuit is open.
    func ordered(_ candidates: [RouteTable.Candidate]) -> [RouteTable.Candidate] {
        let now = ContinuousClock.now
        var healthy: [RouteTable.Candidate] = []
        var open: [RouteTable.Candidate] = []
        for candidate in candidates {
            if breakers.isOpen(candidate.target.description, now: now) {
                open.append(candidate)
            } else {
                healthy.append(candidate)
            }
        }
        return healthy + open
    }

    func backoff(afterAttempt attempt: Int, error: ProviderError?) -> Duration {
        let base = retry.backoffBaseMilliseconds * Double(1 << min(attempt - 1, 10))
        var milliseconds = min(retry.backoffMaxMilliseconds, base) * Double.random(in: 0.5...1.0)
        if let after = error?.retryAfterSeconds {
            milliseconds = min(retry.backoffMaxMilliseconds, max(milliseconds, Double(after) * 1000))
        }
        return .milliseconds(Int64(milliseconds))
    }

    /// Run `operation` against candidates until one succeeds, a non-retryable error occurs, or the attempt
    /// budget is spent. Returns the result and the candidate that produced it.
    public func run<T: Sendable>(
        _ candidates: [RouteTable.Candidate], endpoint: ProviderEndpoint, audit: AuditRecorder,
        operation: (any Provider, ProviderCall.Target) async throws -> T
    ) async throws -> (T, RouteTable.Candidate) {
        let order = ordered(candidates)
        guard !order.isEmpty else { throw ProviderError(.notConfigured, message: "the alias has no targets") }
        var lastError: ProviderError?
        var lastCandidate = order[0]
        let budget = max(1, retry.maxAttempts)
        for attempt in 1...budget {
            try Task.checkCancellation()
            let candidate = order[(attempt - 1) % order.count]
            if attempt > 1 {
                // Retrying the same target (no other left) or moving on after a transient error: back off.
                try await Task.sleep(for: backoff(afterAttempt: attempt - 1, error: lastError))
            }
            let key = candidate.target.description
            // An open circuit is skipped unless every candidate is open (then we try anyway).
            if !breakers.admit(key) && order.contains(where: { !breakers.isOpen($0.target.description) }) {
                continue
            }
            lastCandidate = candidate
            let stopwatch = Stopwatch()
            do {
                let provider = try registry.provider(for: candidate.target.provider)
                let credential = registry.credentials.credential(
                    for: candidate.target.provider, keyID: candidate.target.keyID)
                if credential == nil && registry.requiresCredential(candidate.target.provider) {
                    throw ProviderError(
                        .notConfigured,
                        message:
                            "no credential for \(candidate.target.provider) (set \(candidate.target.provider.environmentStem)_API_KEY)"
                    )
                }
                let value = try await operation(provider, .init(target: candidate.target, credential: credential))
                breakers.recordSuccess(key)
                record(audit, candidate, endpoint, result: "ok", status: 200, stopwatch)
                return (value, candidate)
            } catch {
                let providerError = UpstreamHTTP.map(error)
                record(
                    audit, candidate, endpoint, result: providerError.kind.rawValue,
                    status: providerError.upstreamStatus, stopwatch)
                if providerError.countsAsTargetFailure { breakers.recordFailure(key) }
                if providerError.kind == .cancelled || Task.isCancelled { throw providerError }
                if !providerError.isRetryable { throw DispatchFailure(error: providerError, candidate: candidate) }
                lastError = providerError
            }
        }
        throw DispatchFailure(
            error: lastError ?? ProviderError(.upstreamServerError, message: "every target failed"),
            candidate: lastCandidate)
    }

    func record(
        _ audit: AuditRecorder, _ candidate: RouteTable.Candidate, _ endpoint: ProviderEndpoint, result: String,
        status: Int?, _ stopwatch: Stopwatch
    ) {
        let attempt = AuditEvent.Attempt(
            provider: candidate.target.provider.description, model: candidate.target.model,
            keyID: candidate.target.keyID, endpoint: endpoint.rawValue, result: result, httpStatus: status,
            latencyMs: stopwatch.elapsedMilliseconds)
        UpstreamMetrics.shared.timer(provider: attempt.provider, result: result)
            .recordNanoseconds(Int64(attempt.latencyMs * 1_000_000))
        audit.update { fields in
            fields.attempts.append(attempt)
            fields.provider = attempt.provider
            fields.providerModel = attempt.model
        }
    }
}

extension ProviderCall {
    /// What the dispatcher resolved for one attempt.
    public struct Target: Sendable {
        public var target: RouteTarget
        public var credential: String?
    }
}

/// All attempts failed; carries the last error and where it happened.
public struct DispatchFailure: Error, Sendable {
    public var error: ProviderError
    public var candidate: RouteTable.Candidate

    public var gatewayError: GatewayError { error.gatewayError(provider: candidate.target.provider.description) }
}

/// Upstream call latency by provider and result, created once per label set.
final class UpstreamMetrics: Sendable {
    static let shared = UpstreamMetrics()
    struct Key: Hashable {
        var provider: String
        var result: String
    }
    let timers: Mutex<[Key: Timer]> = Mutex([:])

    func timer(provider: String, result: String) -> Timer {
        let key = Key(provider: provider, result: result)
        return timers.withLock { timers in
            if let existing = timers[key] { return existing }
            let created = Timer(
                label: "switchboard_upstream_duration_seconds",
                dimensions: [("provider", provider), ("result", result)],
                preferredDisplayUnit: .seconds)
            if timers.count < 10_000 { timers[key] = created }
            return created
        }
    }
}
