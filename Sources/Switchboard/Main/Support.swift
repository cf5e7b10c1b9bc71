import Foundation
import GatewayBackends
import GatewayCore
import Logging

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

    /// Runs `body` with the embedded backends over the data directory's SQLite file, closing it afterwards.
    func withPorts<T>(_ config: GatewayConfig, _ body: (GatewayPorts) async throws -> T) async throws -> T {
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
