import AsyncHTTPClient
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
import NIOCore
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What one process of the gateway does.
public enum ProcessRole: Sendable {
    /// Embedded mode: every service in this process, no internal hop.
    case embedded
    /// Self-hosted mode's edge: API keys, quotas, CORS, then forwarding to the internal services (base URLs),
    /// with the identity signed by `signer`.
    case edge(services: [InternalService: String], signer: IdentitySigner)
    /// Self-hosted mode's internal service: admits only requests the edge signed for.
    case service(InternalService, signer: IdentitySigner)
    /// AWS mode: one service as a Lambda function behind API Gateway, whose authorizer checked the key; quotas
    /// are enforced here.
    case lambda(InternalService)

    /// Whether this process answers the endpoints (and runs the workers) of `service`.
    public func runs(_ service: InternalService) -> Bool {
        switch self {
        case .embedded: true
        case .edge: false
        case .service(let own, _), .lambda(let own): own == service
        }
    }
}

/// The composition of the gateway's services over a set of ports, as one process runs it: every service in
/// embedded mode (`switchboard serve`), or one of them in self-hosted mode (`switchboard-edge`, …).
public final class GatewayProcess: Sendable {
    public let role: ProcessRole
    public let config: GatewayConfig
    public let ports: GatewayPorts
    public let routes: LiveRoutes
    public let publisher: AuditPublisher
    public let consumer: AuditConsumer
    public let routerService: RouterService
    let ragWorker: RAGIngestWorker
    public let http: UpstreamHTTP
    /// The edge's client to the internal services (nil in other roles): connections to a service that is down
    /// fail within `proxyConnectTimeout`, instead of the upstream providers' longer connect timeout.
    let proxyClient: HTTPClient?
    static let proxyConnectTimeout: TimeAmount = .seconds(2)
    public let drain: StreamDrain
    /// The HTTP server's tasks' executor (`server.loop_requests`); nil: Swift's thread pool, always.
    let loopExecutor: LoopAffineExecutor?
    public let logger: Logger
    let prometheus: PrometheusCollectorRegistry?
    /// Backend services (for example quota persistence) that start first and stop last.
    let backendServices: [any Service]
    /// The public edge (embedded mode and the self-hosted edge): API keys, quotas, CORS.
    let publicEdge: EdgeMiddleware?
    /// Embedded mode's event-loop fast path for buffered chat calls (`server.fast_path`); nil: none.
    public let fastPath: FastChatPath?

    /// Compose the gateway exactly as `switchboard serve` runs it. `prometheus` is the registry the process
    /// bootstrapped swift-metrics with (nil: `/metrics` is not served). `credentialOverlay`: provider keys that
    /// arrive after start-up (AWS mode's Secrets Manager), consulted before the environment.
    public init(
        config: GatewayConfig, ports: GatewayPorts, logger: Logger, prometheus: PrometheusCollectorRegistry? = nil,
        backendServices: [any Service] = [], role: ProcessRole = .embedded,
        credentialOverlay: CredentialOverlay? = nil
    ) {
        self.role = role
        self.backendServices = backendServices
        self.config = config
        self.ports = ports
        self.logger = logger
        self.prometheus = prometheus
        self.routes = LiveRoutes(
            staticRoutes: config.routes, store: ports.routes, refreshSeconds: config.routesRefreshSeconds,
            logger: logger)
        // Embedded mode owns its request log and writes it directly; the other roles hand events to the queue.
        let ownsTheLog: Bool
        if case .embedded = role { ownsTheLog = true } else { ownsTheLog = false }
        self.publisher = AuditPublisher(
            ownsTheLog ? .log(ports.requestLog, config.pricing) : .queue(ports.queue), logger: logger)
        self.consumer = AuditConsumer(
            queue: ports.queue, log: ports.requestLog, pricing: config.pricing, logger: logger)
        let http = UpstreamHTTP(settings: config.upstream)
        let drain = StreamDrain()
        self.http = http
        if case .edge = role {
            var configuration = HTTPClient.Configuration()
            // The router may be silent for as long as its attempts at a slow model take (a buffered answer comes
            // whole at the end), not just a stream's idle timeout.
            configuration.timeout = .init(
                connect: Self.proxyConnectTimeout,
                read: .milliseconds(Int64(config.longestServiceSilenceSeconds * 1000)))
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: config.upstream.connectionsPerHost)
            configuration.decompression = .disabled
            self.proxyClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        } else {
            self.proxyClient = nil
        }
        self.drain = drain
        // A Lambda function has no event loop of its own serving requests.
        if case .lambda = role {
            self.loopExecutor = nil
        } else {
            self.loopExecutor =
                config.server.loopRequests > 0 ? LoopAffineExecutor(limit: config.server.loopRequests) : nil
        }
        let routerService = RouterService(
            routes: routes,
            dispatcher: Dispatcher(
                registry: ProviderRegistry(config: config, http: http, credentialOverlay: credentialOverlay),
                breakers: CircuitBreakers(settings: config.circuitBreaker), retry: config.retry),
            limits: BodyLimits(maxBytes: config.server.maxBodyBytes, maxDepth: config.server.maxJSONDepth),
            drain: drain, responseStore: ports.responses)
        self.routerService = routerService
        let handoffs = EdgeHandoffs()
        switch role {
        case .embedded, .edge:
            self.publicEdge = EdgeMiddleware(
                keys: KeyCache(store: ports.keys, ttlSeconds: config.keyCacheSeconds), quotas: ports.quotas,
                policy: QuotaPolicy(tenantRPM: config.limits.tenantRPM, tenantRPD: config.limits.tenantRPD),
                cors: config.server.cors, sink: publisher, handoffs: handoffs)
        case .service, .lambda:
            self.publicEdge = nil
        }
        if case .embedded = role, config.server.fastPath, let publicEdge, let loopExecutor {
            self.fastPath = FastChatPath(
                edge: publicEdge, router: routerService, http: http, handoffs: handoffs, gate: loopExecutor)
        } else {
            self.fastPath = nil
        }
        self.ragWorker = RAGIngestWorker(
            router: routerService, vectors: ports.vectors, jobs: ports.ragJobs, queue: ports.queue, sink: publisher,
            logger: logger)
    }

    public func buildRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        if let loopExecutor {
            let proxies = if case .edge = role { true } else { false }
            router.add(middleware: LoopAffineExecutor.Counting(executor: loopExecutor, sizedBodiesStream: proxies))
        }
        switch role {
        case .embedded, .edge:
            if let publicEdge { router.add(middleware: publicEdge) }
        case .service(_, let signer):
            router.add(middleware: EdgeMiddleware(internal: signer, sink: publisher))
        case .lambda:
            router.add(
                middleware: EdgeMiddleware(
                    authorizer: ports.quotas,
                    policy: QuotaPolicy(tenantRPM: config.limits.tenantRPM, tenantRPD: config.limits.tenantRPD),
                    cors: config.server.cors, sink: publisher))
        }
        if case .edge(let services, let signer) = role, let proxyClient {
            router.add(
                middleware: ReverseProxy(
                    client: proxyClient, services: services, signer: signer, taskExecutor: loopExecutor,
                    bufferBytes: config.server.maxBodyBytes,
                    largestBodies: [
                        .media: RouterService.largestMediaRequestBytes(maxBodyBytes: config.server.maxBodyBytes)
                    ]))
        }
        if role.runs(.router) { routerService.addModelRoutes(to: router) }
        if role.runs(.media) { routerService.addMediaRoutes(to: router) }
        if role.runs(.rag) {
            RAGService(
                router: routerService, vectors: ports.vectors, jobs: ports.ragJobs, queue: ports.queue,
                defaults: config.rag,
                limits: BodyLimits(maxBytes: config.server.maxBodyBytes, maxDepth: config.server.maxJSONDepth)
            ).addRoutes(to: router)
        }
        if role.runs(.audit) { BillingService(log: ports.requestLog).addRoutes(to: router) }
        health.add(to: router)
        return router
    }

    var health: HealthEndpoints { HealthEndpoints(drain: drain, prometheus: prometheus, probe: ports.readinessProbe) }

    /// `GET /ready` (see `HealthEndpoints`).
    func readiness() async -> Response { await health.readiness() }

    /// The HTTP application. `onServerRunning` receives the bound port.
    public func buildApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        let fastPath = self.fastPath
        return Application(
            router: buildRouter(),
            server: .http1(
                configuration: .init(
                    // The fast path's handler answers `Expect: 100-continue` itself (`ContinueExpectation`).
                    additionalChannelHandlers: [fastPath?.handler() ?? ExpectContinueHandler.handler()]
                        + [ClientPresence.handler()])),
            configuration: .init(
                address: .hostname(config.listen.host, port: config.listen.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Every long-lived part, in start order; a service group shuts them down in reverse: the drain timer
    /// starts, the HTTP server stops accepting and waits for in-flight requests and streams, then the RAG
    /// worker finishes its current document (an unfinished job is redelivered), then the audit publisher
    /// writes what it holds (to the request log in embedded mode, to the queue otherwise), then the consumer
    /// drains the queue into the request log (in embedded mode, whatever an earlier version left queued), then
    /// the backend services stop. Each part runs only in the process whose role includes it.
    public func services(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        var parts: [any Service] = backendServices
        if role.runs(.audit) { parts.append(consumer) }
        parts.append(publisher)
        if role.runs(.rag) { parts.append(ragWorker) }
        if role.runs(.router) || role.runs(.media) || role.runs(.rag) { parts.append(routes) }
        parts.append(LoopAffineService(buildApplication(onServerRunning: onServerRunning), executor: loopExecutor))
        parts.append(
            DrainService(
                drain: drain, timeout: .milliseconds(Int64(config.server.drainTimeoutSeconds * 1000)), logger: logger))
        return parts
    }

    /// Closes the HTTP clients (after the service group stopped).
    public func shutdownClients() async {
        await http.shutdown()
        try? await proxyClient?.shutdown()
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
        await shutdownClients()
    }
}
