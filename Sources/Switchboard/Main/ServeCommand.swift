import ArgumentParser
import Foundation
import GatewayBackends
import GatewayCore
import Logging
import Metrics
import Prometheus
import SwitchboardApp

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway in embedded mode (every service in this process, SQLite, no servers).",
        discussion: """
            With no provider credentials the default routes use the built-in mock provider, so every endpoint
            works offline. Providers are configured by the file or the environment: OPENAI_API_KEY,
            ANTHROPIC_API_KEY, AWS credentials and AWS_REGION (Bedrock), OPENAI_COMPAT_<PROFILE>_BASE_URL with
            _API_KEY or _CREDENTIALS_FILE (Gemini, Vertex, any OpenAI-compatible server). On first start with no API keys, a bootstrap key is created and written to
            <data-dir>/bootstrap-key (mode 0600); its path, never the key, is logged.
            SIGTERM or SIGINT: stop accepting, let in-flight streams finish (server.drain_timeout_seconds),
            flush the audit queue, exit.
            """)

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: "Address to listen on, host:port (overrides the file and $SWITCHBOARD_LISTEN).")
    var listen: String?

    func run() async throws {
        let config = try options.loadConfig(listen: listen)
        let (logger, registry) = ProcessBootstrap.observability(config, label: "switchboard")

        let store = try await options.openStore(config, logger: logger)
        let queue = SQLiteQueue(store: store)
        try await queue.recoverInFlight()
        let quotas = MemoryQuotaStore()
        let quotaPersistence = QuotaPersistence(quotas: quotas, store: store, logger: logger)
        try await quotaPersistence.restore()
        let vectors = try await VectorStores.open(config, sqlite: store, logger: logger)
        var ports = store.ports(quotas: quotas, vectors: vectors.store)
        ports.queue = queue
        try await Self.ensureBootstrapKey(ports: ports, config: config, logger: logger)

        let gateway = GatewayProcess(
            config: config, ports: ports, logger: logger, prometheus: registry,
            backendServices: vectors.services + [quotaPersistence])
        logger.info(
            "starting",
            metadata: [
                "listen": "\(config.listen.description)", "data_dir": "\(config.dataDirectory)",
                "routes": "\(config.routes.count)", "default_routes": "\(config.usingDefaultRoutes)",
            ])
        let host = config.listen.host
        try await gateway.run { port in
            printLine("Switchboard listening on http://\(host):\(port)")
        }
        await vectors.close()
        await store.close()
    }

    /// First start with no keys at all: create one so the README's first curl works, and write it to a file
    /// only its owner can read.
    static func ensureBootstrapKey(ports: GatewayPorts, config: GatewayConfig, logger: Logger) async throws {
        guard try await ports.keys.list(tenant: nil).isEmpty else { return }
        let key = APIKey.generate()
        try await ports.keys.create(
            APIKeyRecord(hash: APIKey.hash(key), tenant: "default", label: "bootstrap", createdAt: Date()))
        let path = (config.dataDirectory as NSString).appendingPathComponent("bootstrap-key")
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write the bootstrap key to \(path)") }
        logger.notice("created a bootstrap API key for tenant 'default'", metadata: ["key_file": "\(path)"])
    }
}
