import AsyncHTTPClient
import Foundation
import GatewayAWSBackends
import GatewayBackends
import GatewayCore
import GatewayPostgres
import Logging
import SwitchboardApp

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension CommonOptions {
    /// The configuration as every subcommand sees it.
    func loadConfig(listen: String? = nil) throws -> GatewayConfig {
        let environment = ProcessInfo.processInfo.environment
        var path = config ?? environment["SWITCHBOARD_CONFIG"]
        if path == nil, FileManager.default.fileExists(atPath: "switchboard.yaml") { path = "switchboard.yaml" }
        var loaded: GatewayConfig
        do {
            loaded = try ConfigLoader.load(path: path, environment: environment)
        } catch {
            throw CLIError(error.description)
        }
        if let dataDir { loaded.dataDirectory = dataDir }
        if let listen {
            guard let parsed = GatewayConfig.Listen(listen) else { throw CLIError("--listen must be host:port") }
            loaded.listen = parsed
        }
        return loaded
    }

    func openStore(_ config: GatewayConfig, logger: Logger) async throws -> SQLiteStore {
        try await SQLiteStore.open(path: Self.databasePath(config), logger: logger)
    }

    /// The PostgreSQL database named by `--postgres-url` or `$SWITCHBOARD_POSTGRES_URL`, if any.
    var postgresConfiguration: PostgresConfiguration? {
        get throws {
            guard let url = postgresURL ?? ProcessInfo.processInfo.environment["SWITCHBOARD_POSTGRES_URL"], !url.isEmpty
            else { return nil }
            do {
                return try PostgresConfiguration(url: url, poolSize: 2)
            } catch {
                throw CLIError("--postgres-url: \(error.description)")
            }
        }
    }

    /// Runs `body` with a self-hosted deployment's PostgreSQL backends (schema migrated first), closing the pool
    /// afterwards.
    func withPostgres<T>(
        _ configuration: PostgresConfiguration, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let (store, pool) = try await ProcessBootstrap.postgres(configuration, logger: cliLogger(), patience: .zero)
        defer { pool.cancel() }
        return try await body(store)
    }

    /// Runs `body` with the backends: a self-hosted deployment's PostgreSQL when one is named, else the embedded
    /// SQLite file in the data directory, closing it afterwards.
    func withPorts<T>(_ config: GatewayConfig, _ body: (GatewayPorts) async throws -> T) async throws -> T {
        if ProcessBootstrap.usesAWS(ProcessInfo.processInfo.environment) {
            return try await withAWS { try await body($0.ports(vectors: MemoryVectorStore())) }
        }
        if let postgres = try postgresConfiguration {
            // The CLI never touches the queue: audit events are the services' to publish.
            return try await withPostgres(postgres) { try await body($0.ports(queue: MemoryQueue())) }
        }
        let store = try await openStore(config, logger: cliLogger())
        do {
            let result = try await body(store.ports())
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// Runs `body` with AWS mode's backends (`SWITCHBOARD_BACKEND=aws`: the tables, queues and secret the
    /// environment names), closing the HTTP client afterwards.
    func withAWS<T>(_ body: (AWSStore) async throws -> T) async throws -> T {
        let store: AWSStore
        do {
            store = try ProcessBootstrap.aws(environment: ProcessInfo.processInfo.environment, logger: cliLogger())
        } catch let error as BootstrapError {
            throw CLIError(error.description)
        }
        do {
            let result = try await body(store)
            try? await store.httpClient.shutdown()
            return result
        } catch {
            try? await store.httpClient.shutdown()
            throw error
        }
    }

    static func databasePath(_ config: GatewayConfig) -> String {
        (config.dataDirectory as NSString).appendingPathComponent("switchboard.db")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Quiet logger for admin subcommands (warnings and errors only, to standard error).
func cliLogger() -> Logger {
    var logger = Logger(label: "switchboard") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}

/// Writes a line to standard output immediately.
func printLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
