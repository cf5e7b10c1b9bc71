import GatewayCore
import GatewayPostgres
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Start-up steps every gateway process shares (embedded `switchboard serve` and each self-hosted service).
public enum ProcessBootstrap {
    /// Logging (JSON lines or text, at the configured level, to standard error) and metrics (the Prometheus
    /// registry `/metrics` serves), after sizing NIO's event loops (`eventLoops`) and raising the open-file limit
    /// (`OpenFileLimit`). Call once per process, first.
    public static func observability(_ config: GatewayConfig, label: String) -> (Logger, PrometheusCollectorRegistry) {
        OpenFileLimit.raise()
        if let loops = eventLoops(
            configured: config.server.eventLoops, cores: System.coreCount,
            environment: ProcessInfo.processInfo.environment)
        {
            NIOSingletons.groupLoopCountSuggestion = loops
        }
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

    /// How many event loops NIO's shared group should have, or nil to leave NIO's own choice (one per core, or
    /// `NIO_SINGLETON_GROUP_LOOP_COUNT` when set, which wins).
    ///
    /// The default is half the cores, at least one. The gateway's request work runs on Swift's cooperative pool
    /// (one thread per core) and the loops only move bytes, so a loop per core gave two busy threads per core and
    /// a hand-off between cores on every step of a request. Measured on two cores with `bench/run.sh`'s instant
    /// upstream: one loop instead of two gave 6–14 % more requests per second, 13–17 % less CPU per request and a
    /// lower p99 at 32 connections, in every one of three interleaved rounds.
    static func eventLoops(
        configured: Int?, cores: Int, environment: [String: String]
    ) -> Int? {
        if environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] != nil { return nil }
        return configured ?? max(1, cores / 2)
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
