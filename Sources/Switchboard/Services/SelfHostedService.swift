import ArgumentParser
import Foundation
import GatewayCore
import GatewayPostgres
import Logging
import SwitchboardApp

/// Options every self-hosted service binary takes.
public struct ServiceOptions: ParsableArguments {
    @Option(
        name: .long, help: "YAML configuration file (default: $SWITCHBOARD_CONFIG; the same format as embedded mode).")
    public var config: String?

    @Option(
        name: .long,
        help: "Address to listen on, host:port (default: $SWITCHBOARD_LISTEN, else 0.0.0.0 and the service's port).")
    public var listen: String?

    public init() {}
}

/// The environment every service reads, for the binaries' `--help`.
public let selfHostedEnvironmentHelp = """
    Self-hosted mode: each service is its own process. They share PostgreSQL
    (keys, routes, quotas, the request log, stored responses, RAG vectors with
    pgvector) and Kafka (audit events, RAG ingestion jobs).

    Environment:
      SWITCHBOARD_POSTGRES_URL        postgres://user:password@host:5432/db
                                      (required, but in AWS mode)
      SWITCHBOARD_POSTGRES_POOL_SIZE  this process's connections (default 10)
      SWITCHBOARD_KAFKA_BROKERS       host:9092,host:9092 (required, unless
                                      the file has a kafka section)
      SWITCHBOARD_KAFKA_PROPERTY_<N>  any librdkafka property, for example
                                      ..._SECURITY_PROTOCOL=SASL_SSL
      SWITCHBOARD_INTERNAL_SECRET     the same secret (>= 32 bytes) in every
                                      service; it signs the identity the edge
                                      forwards (or ..._SECRET_FILE; during a
                                      rotation ..._SECRET_PREVIOUS); not
                                      needed inside AWS Lambda
      SWITCHBOARD_CONFIG, SWITCHBOARD_LISTEN, SWITCHBOARD_LOG_FORMAT,
      SWITCHBOARD_LOG_LEVEL

    AWS mode: SWITCHBOARD_BACKEND=aws replaces PostgreSQL and Kafka with
    DynamoDB, SQS, Secrets Manager and S3 Vectors (SWITCHBOARD_*_TABLE,
    SWITCHBOARD_*_QUEUE_URL, SWITCHBOARD_API_KEYS_SECRET,
    SWITCHBOARD_RAG_S3VECTORS_BUCKET, provider keys from
    <PROVIDER>_SECRET_ARN; see deploy/aws/README.md). Inside AWS Lambda
    (AWS_LAMBDA_RUNTIME_API set) the binary serves Lambda events instead of
    HTTP and needs no internal secret: the edge is API Gateway's TOKEN
    authorizer, the others answer API Gateway and SQS events.

    The PostgreSQL schema is migrated at start-up (safe with replicas).
    GET /health is liveness, GET /ready readiness, GET /metrics Prometheus.
    SIGTERM drains in-flight streams, flushes the queue, then exits.
    """

/// Starts one self-hosted service from its environment and configuration and runs it until SIGTERM/SIGINT.
public enum SelfHostedService {
    /// `service` nil: the edge.
    public static func run(_ service: InternalService?, options: ServiceOptions) async throws {
        let environment = ProcessInfo.processInfo.environment
        let name = service.map { "switchboard-\($0.rawValue)" } ?? "switchboard-edge"
        var config: GatewayConfig
        let settings: SelfHostedSettings
        do {
            config = try ConfigLoader.load(
                path: options.config ?? environment["SWITCHBOARD_CONFIG"], environment: environment)
            var needs = SelfHostedSettings.Needs.all
            if ProcessBootstrap.usesAWS(environment) { needs.remove(.postgres) }
            if LambdaLauncher.runtimeAPI(environment) != nil { needs.remove(.internalSecret) }
            settings = try SelfHostedSettings.fromEnvironment(environment, needs: needs) { path in
                try String(contentsOfFile: path, encoding: .utf8)
            }
        } catch let error as SelfHostedSettings.Invalid {
            throw ValidationError(error.description)
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
        let listen = options.listen ?? environment["SWITCHBOARD_LISTEN"] ?? "0.0.0.0:\(service?.defaultPort ?? 8080)"
        guard let address = GatewayConfig.Listen(listen) else {
            throw ValidationError("the listen address must be host:port")
        }
        config.listen = address
        let (logger, registry) = ProcessBootstrap.observability(config, label: name)
        let backend: Backend
        do {
            backend = try await Backend.open(
                config: config, settings: settings, service: service, environment: environment, logger: logger)
        } catch {
            if let runtimeAPI = LambdaLauncher.runtimeAPI(environment) {
                await LambdaLauncher.reportInitError(error, runtimeAPI: runtimeAPI, logger: logger)
            }
            throw error
        }
        defer { Task { await backend.close() } }
        if let runtimeAPI = LambdaLauncher.runtimeAPI(environment) {
            try await LambdaLauncher.run(
                service, runtimeAPI: runtimeAPI, config: config, backend: backend, environment: environment,
                logger: logger)
            return
        }
        guard let signer = settings.signer else { throw ValidationError("SWITCHBOARD_INTERNAL_SECRET is not set") }
        let ports = backend.ports
        let role: ProcessRole =
            if let service { .service(service, signer: signer) } else {
                .edge(services: settings.serviceURLs, signer: signer)
            }
        let process = GatewayProcess(
            config: config, ports: ports, logger: logger, prometheus: registry, backendServices: backend.services,
            role: role, credentialOverlay: backend.credentialOverlay)
        logger.info(
            "starting",
            metadata: ["service": "\(name)", "listen": "\(config.listen.description)", "backend": "\(backend.name)"])
        try await process.run { port in
            logger.notice("listening", metadata: ["service": "\(name)", "port": "\(port)"])
            FileHandle.standardOutput.write(Data("\(name) listening on http://\(address.host):\(port)\n".utf8))
        }
    }
}
