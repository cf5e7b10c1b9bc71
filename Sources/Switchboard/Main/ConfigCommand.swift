import ArgumentParser
import Foundation
import GatewayBackends
import GatewayCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the configuration file.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file; each problem names the file, line, key path and what is wrong.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The file to check (default: --config).") var file: String?

        func run() async throws {
            guard let path = file ?? options.config ?? ProcessInfo.processInfo.environment["SWITCHBOARD_CONFIG"] else {
                throw ValidationError("name a file: switchboard config check FILE")
            }
            do {
                let config = try ConfigLoader.load(path: path, environment: ProcessInfo.processInfo.environment)
                printLine("\(path): OK (\(config.routes.count) routes, listen \(config.listen.description))")
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the database schema (also done at start-up).")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        if let postgres = try options.postgresConfiguration {
            try await options.withPostgres(postgres) { _ in }
            printLine("PostgreSQL database \(postgres) is up to date")
            return
        }
        let config = try options.loadConfig()
        let store = try await options.openStore(config, logger: cliLogger())
        await store.close()
        printLine("Database at \(CommonOptions.databasePath(config)) is up to date")
    }
}
