import GatewayCore
import GatewayPostgres
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Start-up steps every gateway process shares (embedded `switchboard serve` and each self-hosted service).
public enum ProcessBootstrap {
    /// Logging (JSON lines or text, at the configured level, to standard error) and metrics (the Prometheus
    /// registry `/metrics` serves). Call once per process, before anything logs.
    public static func observability(_ config: GatewayConfig, label: String) -> (Logger, PrometheusCollectorRegistry) {
        let level = Logger.Level(rawValue: config.logLevel) ?? .info
        let format = config.logFormat
        LoggingSystem.bootstrap { label in
            if format == "text" {
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            return JSONLogHandler(label: label, level: level)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: label), registry)
    }

    /// A running PostgreSQL pool with the schema migrated (under an advisory lock, so replicas starting together
    /// are safe), and the service that keeps the pool running inside the process's service group. A database
    /// that is not reachable yet (containers start together) is retried for `patience`.
    public static func postgres(
        _ configuration: PostgresConfiguration, logger: Logger, patience: Duration = .seconds(60)
    ) async throws -> (PostgresStore, RunningTask) {
        let store = PostgresStore(configuration: configuration, logger: logger)
        let pool = Task { try await store.run() }
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                try await store.migrate()
                return (store, RunningTask(pool))
            } catch {
                if ContinuousClock.now >= deadline || Task.isCancelled {
                    pool.cancel()
                    throw error
                }
                logger.warning(
                    "PostgreSQL not ready; retrying",
                    metadata: ["database": "\(configuration)", "error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
