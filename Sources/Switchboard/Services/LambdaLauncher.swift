import AsyncHTTPClient
import GatewayAWSBackends
import GatewayCore
import GatewayEdge
import GatewayLambda
import GatewayRouter
import Logging
import ServiceLifecycle
import SwitchboardApp
import UnixSignals

extension LambdaLauncher {
    /// Reports a start-up failure to the Runtime API (`/init/error`), so that Lambda records it as an init error
    /// with its message rather than as a process that exited.
    static func reportInitError(_ error: any Error, runtimeAPI: String, logger: Logger) async {
        guard let endpoint = LambdaRuntimeEndpoint(runtimeAPI) else { return }
        let http = LambdaRuntimeClient.makeHTTPClient()
        let message = String(describing: error)
        do {
            try await LambdaRuntimeClient(endpoint: endpoint, httpClient: http).initError(
                LambdaFunctionError(type: "Runtime.InitError", message: message))
        } catch {
            logger.error("could not report the init error", metadata: ["error": "\(error)"])
        }
        try? await http.shutdown()
    }
}

/// Runs a service binary as a Lambda function (AWS mode; `AWS_LAMBDA_RUNTIME_API` is set by Lambda): the edge
/// as API Gateway's TOKEN authorizer, every other service as the request function (and queue consumer) of its
/// routes. The route table keeps refreshing beside the runtime loop, and is read again before an invocation when
/// it is older than its refresh interval (the loop does not run while the environment is frozen); provider secrets
/// are refreshed before each invocation once their TTL has passed.
enum LambdaLauncher {
    /// The Runtime API's address when running inside Lambda.
    static func runtimeAPI(_ environment: [String: String]) -> String? {
        environment["AWS_LAMBDA_RUNTIME_API"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func run(
        _ service: InternalService?, runtimeAPI: String, config: GatewayConfig, backend: Backend,
        environment: [String: String], logger: Logger
    ) async throws {
        guard let endpoint = LambdaRuntimeEndpoint(runtimeAPI) else {
            throw BootstrapError("AWS_LAMBDA_RUNTIME_API must be host:port")
        }
        let http = LambdaRuntimeClient.makeHTTPClient()
        let runtime = LambdaRuntime(client: LambdaRuntimeClient(endpoint: endpoint, httpClient: http), logger: logger)
        var services: [any Service] = []
        let handler: any LambdaHandler
        if let service {
            let process = GatewayProcess(
                config: config, ports: backend.ports, logger: logger, role: .lambda(service),
                credentialOverlay: backend.credentialOverlay)
            // Only the functions that route requests read the route table (the audit function neither may nor needs to).
            let routing = [.router, .media, .rag].contains(service)
            if routing {
                await process.routes.reload()
                services.append(process.routes)
            }
            let secrets = backend.providerSecrets
            let routes = process.routes
            handler = GatewayLambdaHandler(
                process: process, streaming: StreamingRoutes(environment: environment),
                beforeInvocation: {
                    await secrets?.refreshIfStale()
                    if routing { await routes.refreshIfStale() }
                })
        } else {
            handler = AuthorizerLambdaHandler(
                keys: KeyCache(store: backend.ports.keys, ttlSeconds: config.keyCacheSeconds))
        }
        services.append(LambdaLoop(runtime: runtime, handler: handler))
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        try? await http.shutdown()
    }
}

/// The Lambda runtime loop as a service: it ends when the group shuts down (Lambda sends SIGTERM before it
/// stops an environment), which ends the other services with it.
struct LambdaLoop: Service {
    let runtime: LambdaRuntime
    let handler: any LambdaHandler

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await runtime.run(handler: handler)
        }
    }
}
