import ArgumentParser
import GatewayBackends
import GatewayCore
import GatewaySchema

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract:
            "Live routes in the route store: they override the file's per alias, picked up within routes_refresh_seconds.",
        subcommands: [List.self, Set.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective routes (file + store) as JSON lines.")
        @OptionGroup var options: CommonOptions
        func run() async throws {
            let config = try options.loadConfig()
            let stored = try await options.withPorts(config) { try await $0.routes.loadAll() }
            var merged: [String: (String, JSONValue)] = [:]
            for route in config.routes { merged[route.alias] = ("file", RouteParsing.definition(of: route)) }
            for row in stored { merged[row.alias] = ("store", row.definition) }
            for alias in merged.keys.sorted() {
                let (source, definition) = merged[alias]!
                printLine(
                    JSONValue.object(["alias": .string(alias), "source": .string(source), "route": definition])
                        .jsonString)
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create or replace an alias, e.g. routes set fast '{\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-5.2-codex\"}]}'"
        )
        @OptionGroup var options: CommonOptions
        @Argument(help: "Alias name.") var alias: String
        @Argument(
            help:
                "Route definition as JSON: targets ({provider: openai | anthropic | bedrock | openai_compatible:<p> | mock, model, weight, endpoint_mode, key_id}), fallbacks, enabled, kind."
        ) var definition: String
        func run() async throws {
            let json: JSONValue
            do { json = try JSONParser.parse(definition) } catch { throw CLIError("definition: \(error)") }
            if case .failure(let problems) = RouteParsing.parse(alias: alias, definition: json, path: "routes.\(alias)")
            {
                throw CLIError(problems.messages.joined(separator: "\n"))
            }
            let config = try options.loadConfig()
            try await options.withPorts(config) { try await $0.routes.put(StoredRoute(alias: alias, definition: json)) }
            printLine("Saved route \(alias)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an alias from the route store.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "Alias name.") var alias: String
        func run() async throws {
            let config = try options.loadConfig()
            let found = try await options.withPorts(config) { try await $0.routes.delete(alias: alias) }
            guard found else { throw CLIError("no stored route \(alias)") }
            printLine("Deleted route \(alias)")
        }
    }
}
