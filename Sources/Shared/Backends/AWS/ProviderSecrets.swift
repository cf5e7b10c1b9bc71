import GatewayAWS
import GatewayCore
import GatewaySchema
import Logging
import ServiceLifecycle
import Synchronization

/// Provider keys from Secrets Manager, kept fresh in a `CredentialOverlay` the `CredentialResolver` reads first.
/// Lambda calls `refreshIfStale()` before each invocation; servers run it as a `Service` that refreshes every
/// `ttl`. A secret that cannot be read (missing, denied, unreachable, no key in it) keeps its last value and is
/// logged by variable name and error code, never with its content.
public final class ProviderSecrets: Service, Sendable {
    public let client: SecretsManagerClient
    public let overlay: CredentialOverlay
    public let sources: [ProviderSecretSource]
    let ttl: Duration
    let logger: Logger
    let now: @Sendable () -> ContinuousClock.Instant
    let lastRefresh: Mutex<ContinuousClock.Instant?> = Mutex(nil)

    /// - Parameter now: the clock `ttl` is measured on (tests pass their own).
    public init(
        client: SecretsManagerClient, overlay: CredentialOverlay, sources: [ProviderSecretSource], ttl: Duration,
        logger: Logger = Logger(label: "switchboard.provider-secrets"),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.now = now
        self.client = client
        self.overlay = overlay
        self.sources = sources
        self.ttl = ttl
        self.logger = logger
    }

    /// Refreshes when the last refresh is older than `ttl` (or there was none).
    public func refreshIfStale() async {
        let now = self.now()
        let due = lastRefresh.withLock { last in
            guard last.map({ now - $0 >= ttl }) ?? true else { return false }
            last = now
            return true
        }
        if due { await refresh() }
    }

    /// Reads every secret once; returns how many could not be read.
    @discardableResult
    public func refresh() async -> Int {
        let now = self.now()
        lastRefresh.withLock { $0 = now }
        return await withTaskGroup(of: Bool.self) { group in
            for source in sources {
                group.addTask { await self.refresh(source) }
            }
            return await group.reduce(0) { $0 + ($1 ? 0 : 1) }
        }
    }

    func refresh(_ source: ProviderSecretSource) async -> Bool {
        let problem: String
        do {
            if let text = try await client.getSecretString(id: source.secretID) {
                if let credential = ProviderSecretSource.credential(fromSecret: text) {
                    overlay.set(source.variable, credential)
                    return true
                }
                problem = "the secret holds no key"
            } else {
                problem = "the secret does not exist"
            }
        } catch let error as AWSServiceError {
            problem = "\(error.code) (HTTP \(error.status))"
        } catch let error as AWSClientError {
            problem = error.kind.rawValue
        } catch {
            problem = "\(type(of: error))"
        }
        logger.warning(
            "could not refresh a provider key; keeping its last value",
            metadata: ["variable": "\(source.variable)", "problem": "\(problem)"])
        return false
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.refresh()
                try await Task.sleep(for: self.ttl)
            }
        }
    }
}
