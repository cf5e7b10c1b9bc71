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
        try await run(plan(candidates), endpoint: endpoint, audit: audit, operation: operation)
    }

    /// The attempts ahead for `candidates`: healthy ones first.
    func plan(_ candidates: [RouteTable.Candidate]) throws -> DispatchPlan {
        let order = ordered(candidates)
        guard !order.isEmpty else { throw ProviderError(.notConfigured, message: "the alias has no targets") }
        return DispatchPlan(order: order, budget: max(1, retry.maxAttempts))
    }

    /// `run` for a plan whose first attempt may have been made elsewhere (the event-loop fast path,
    /// `firstAttemptFailed`).
    func run<T: Sendable>(
        _ plan: DispatchPlan, endpoint: ProviderEndpoint, audit: AuditRecorder,
        operation: (any Provider, ProviderCall.Target) async throws -> T
    ) async throws -> (T, RouteTable.Candidate) {
        var plan = plan
        if let failure = plan.failure { throw failure }
        while plan.attempt < plan.budget {
            plan.attempt += 1
            try Task.checkCancellation()
            let candidate = plan.order[(plan.attempt - 1) % plan.order.count]
            if plan.attempt > 1 {
                // Retrying the same target (no other left) or moving on after a transient error: back off.
                try await Task.sleep(for: backoff(afterAttempt: plan.attempt - 1, error: plan.lastError))
            }
            // An open circuit is skipped unless every candidate is open (then we try anyway).
            guard admits(candidate, among: plan.order) else { continue }
            plan.lastCandidate = candidate
            let stopwatch = Stopwatch()
            do {
                let resolved = try resolve(candidate)
                let value = try await operation(resolved.provider, resolved.target)
                succeeded(candidate, endpoint, audit, stopwatch)
                return (value, candidate)
            } catch {
                try failed(
                    candidate, endpoint, audit, stopwatch, error: error, cancelled: Task.isCancelled, plan: &plan)
            }
        }
        throw plan.exhausted
    }

    /// Whether `candidate` may be tried now: its circuit admits it, or every candidate's circuit is open.
    func admits(_ candidate: RouteTable.Candidate, among order: [RouteTable.Candidate]) -> Bool {
        breakers.admit(candidate.target.description)
            || !order.contains(where: { !breakers.isOpen($0.target.description) })
    }

    /// The provider and credential for an attempt at `candidate`.
    func resolve(
        _ candidate: RouteTable.Candidate
    ) throws -> (provider: any Provider, target: ProviderCall.Target) {
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
        return (provider, .init(target: candidate.target, credential: credential))
    }

    /// The event-loop fast path's first attempt of `plan`, prepared without side effects: `prepare` gets the first
    /// candidate's provider and target and returns what to send. Nil when the candidate's circuit is not closed, it
    /// cannot be resolved, or `prepare` declines. A closed circuit admits without a probe, so the attempt needs no
    /// admission; its outcome is recorded with `succeeded` or `firstAttemptFailed`.
    func prepareFirstAttempt<Prepared>(
        _ plan: DispatchPlan, _ prepare: (RouteTable.Candidate, any Provider, ProviderCall.Target) -> Prepared?
    ) -> Prepared? {
        let candidate = plan.order[0]
        guard plan.attempt == 0, breakers.isClosed(candidate.target.description),
            let resolved = try? resolve(candidate)
        else { return nil }
        return prepare(candidate, resolved.provider, resolved.target)
    }

    /// Records the fast path's failed first attempt in `plan`, which `run` continues: with the next attempt, or by
    /// throwing its failure when no further attempt may follow.
    func firstAttemptFailed(
        _ plan: inout DispatchPlan, _ endpoint: ProviderEndpoint, _ audit: AuditRecorder, _ stopwatch: Stopwatch,
        error: any Error
    ) {
        let candidate = plan.order[0]
        plan.attempt = 1
        plan.lastCandidate = candidate
        do {
            try failed(candidate, endpoint, audit, stopwatch, error: error, plan: &plan)
        } catch let failure as DispatchFailure {
            plan.failure = failure
        } catch {
            plan.failure = DispatchFailure(error: UpstreamHTTP.map(error), candidate: candidate)
        }
    }

    /// Records a successful attempt.
    func succeeded(
        _ candidate: RouteTable.Candidate, _ endpoint: ProviderEndpoint, _ audit: AuditRecorder, _ stopwatch: Stopwatch
    ) {
        breakers.recordSuccess(candidate.target.description)
        record(audit, candidate, endpoint, result: "ok", status: 200, stopwatch)
    }

    /// Records a failed attempt; throws when no further attempt may follow (a cancelled request, a non-retryable
    /// error), else keeps the error in `plan` for the next attempt's backoff.
    func failed(
        _ candidate: RouteTable.Candidate, _ endpoint: ProviderEndpoint, _ audit: AuditRecorder,
        _ stopwatch: Stopwatch, error: any Error, cancelled: Bool = false, plan: inout DispatchPlan
    ) throws {
        let providerError = UpstreamHTTP.map(error)
        record(
            audit, candidate, endpoint, result: providerError.kind.rawValue, status: providerError.upstreamStatus,
            stopwatch)
        if providerError.countsAsTargetFailure { breakers.recordFailure(candidate.target.description) }
        if providerError.kind == .cancelled || cancelled { throw providerError }
        if !providerError.isRetryable { throw DispatchFailure(error: providerError, candidate: candidate) }
        plan.lastError = providerError
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

/// A request's attempts: its candidates in the order they are tried, how many attempts it may make and has made,
/// and the last failure.
public struct DispatchPlan: Sendable {
    public let order: [RouteTable.Candidate]
    public let budget: Int
    public internal(set) var attempt = 0
    var lastError: ProviderError?
    var lastCandidate: RouteTable.Candidate
    /// Set when an attempt made elsewhere ended the request (a non-retryable error): `run` throws it.
    public internal(set) var failure: DispatchFailure?

    init(order: [RouteTable.Candidate], budget: Int) {
        self.order = order
        self.budget = budget
        self.lastCandidate = order[0]
    }

    /// What the client gets when every attempt failed.
    var exhausted: DispatchFailure {
        DispatchFailure(
            error: lastError ?? ProviderError(.upstreamServerError, message: "every target failed"),
            candidate: lastCandidate)
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
