import GatewayBackends
import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewayRAG
import GatewayRouter
import GatewaySchema
import GatewayWorkers
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Embedded mode: every service in one process over one SQLite file, no internal hop.
public final class EmbeddedGateway: Sendable {
    public let config: GatewayConfig
    public let ports: GatewayPorts
    public let routes: LiveRoutes
    public let publisher: AuditPublisher
    public let consumer: AuditConsumer
    public let routerService: RouterService
    let ragWorker: RAGIngestWorker
    public let http: UpstreamHTTP
    public let drain: StreamDrain
    public let logger: Logger
    let prometheus: PrometheusCollectorRegistry?
    /// Backend services (for example quota persistence) that start first and stop last.
    let backendServices: [any Service]

    /// Compose the gateway exactly as `switchboard serve` runs it. `prometheus` is the registry the process
    /// bootstrapped swift-metrics with (nil: `/metrics` is not served).
    public init(
        config: GatewayConfig, ports: GatewayPorts, logger: Logger, prometheus: PrometheusCollectorRegistry? = nil,
        backendServices: [any Service] = []
    ) {
        self.backendServices = backendServices
        self.config = config
        self.ports = ports
        self.logger = logger
        self.prometheus = prometheus
        self.routes = LiveRoutes(
            staticRoutes: config.routes, store: ports.routes, refreshSeconds: config.routesRefreshSeconds,
            logger: logger)
        self.publisher = AuditPublisher(queue: ports.queue, logger: logger)
        self.consumer = AuditConsumer(
            queue: ports.queue, log: ports.requestLog, pricing: config.pricing, logger: logger)
        let http = UpstreamHTTP(settings: config.upstream)
        let drain = StreamDrain()
        self.http = http
        self.drain = drain
        let routerService = RouterService(
            routes: routes,
            dispatcher: Dispatcher(
                registry: ProviderRegistry(config: config, http: http),
                breakers: CircuitBreakers(settings: config.circuitBreaker), retry: config.retry),
            limits: BodyLimits(maxBytes: config.server.maxBodyBytes, maxDepth: config.server.maxJSONDepth),
            drain: drain, responseStore: ports.responses)
        self.routerService = routerService
        self.ragWorker = RAGIngestWorker(
            router: routerService, vectors: ports.vectors, jobs: ports.ragJobs, queue: ports.queue, sink: publisher,
            logger: logger)
    }

    public func buildRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(
            middleware: EdgeMiddleware(
                keys: KeyCache(store: ports.keys, ttlSeconds: config.keyCacheSeconds), quotas: ports.quotas,
                policy: QuotaPolicy(tenantRPM: config.limits.tenantRPM, tenantRPD: config.limits.tenantRPD),
                cors: config.server.cors, sink: publisher))
        routerService.addRoutes(to: router)
        RAGService(
            router: routerService, vectors: ports.vectors, jobs: ports.ragJobs, queue: ports.queue,
            defaults: config.rag,
            limits: BodyLimits(maxBytes: config.server.maxBodyBytes, maxDepth: config.server.maxJSONDepth)
        ).addRoutes(to: router)
        BillingService(log: ports.requestLog).addRoutes(to: router)
        router.get("/health") { _, _ in Self.plain("ok") }
        router.get("/ready") { _, _ in await self.readiness() }
        if let prometheus {
            router.get("/metrics") { _, _ in
                var text: [UInt8] = []
                prometheus.emit(into: &text)
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
            }
        }
        return router
    }

    /// `GET /ready`: 200 when the gateway can serve — its stores answer (the route store is read, the audit
    /// queue's depth counted) within two seconds and no shutdown has begun; else 503. The body says which check
    /// failed, never why in detail (no paths or credentials).
    func readiness() async -> Response {
        var checks = JSONObject()
        var ready = true
        if drain.isShuttingDown {
            checks["shutdown"] = "in progress"
            ready = false
        }
        let ports = self.ports
        let probe: @Sendable () async throws -> Int = {
            _ = try await ports.routes.loadAll()
            return try await ports.queue.depth(topic: .audit)
        }
        do {
            let depth = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await probe() }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            if let depth {
                checks["store"] = "ok"
                checks["audit_queue_depth"] = .number(JSONNumber(depth))
            } else {
                checks["store"] = "timeout"
                ready = false
            }
        } catch {
            checks["store"] = "error"
            ready = false
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body: JSONValue = ["status": .string(ready ? "ready" : "not_ready"), "checks": .object(checks)]
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    static func plain(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The HTTP application. `onServerRunning` receives the bound port.
    public func buildApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        Application(
            router: buildRouter(),
            configuration: .init(
                address: .hostname(config.listen.host, port: config.listen.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Every long-lived part, in start order; a service group shuts them down in reverse: the drain timer
    /// starts, the HTTP server stops accepting and waits for in-flight requests and streams, then the RAG
    /// worker finishes its current document (an unfinished job is redelivered), then the audit publisher
    /// flushes to the queue, then the consumer drains the queue into the request log, then the
    /// backend services stop.
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        backendServices + [
            consumer, publisher, ragWorker, routes, buildApplication(onServerRunning: onServerRunning),
            DrainService(
                drain: drain, timeout: .milliseconds(Int64(config.server.drainTimeoutSeconds * 1000)), logger: logger),
        ]
    }

    /// Run until SIGTERM/SIGINT (or the task is cancelled), then shut down gracefully.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var groupConfig = ServiceGroupConfiguration(
            services: services(onServerRunning: onServerRunning).map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .milliseconds(
            Int64(config.server.drainTimeoutSeconds * 1000) + 15_000)
        let group = ServiceGroup(configuration: groupConfig)
        try await group.run()
        await http.shutdown()
    }
}
