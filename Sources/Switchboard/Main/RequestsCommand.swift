import ArgumentParser
import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema

struct RequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "Read the request log.", subcommands: [Tail.self, Show.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The most recent requests, oldest first.")
        @OptionGroup var options: CommonOptions
        @Option(name: [.short, .long], help: "How many.") var limit = 20
        @Option(help: "Only this tenant's requests.") var tenant: String?
        @Flag(help: "Print each event as one JSON line instead of a table.") var json = false

        func run() async throws {
            let config = try options.loadConfig()
            let events = try await options.withPorts(config) {
                try await $0.requestLog.recent(limit: max(1, limit), tenant: tenant).reversed()
            }
            if json {
                for event in events { printLine(String(decoding: try AuditCodec.encode(event), as: UTF8.self)) }
                return
            }
            var rows = [
                [
                    "TIME", "REQUEST ID", "TENANT", "ALIAS", "PROVIDER/MODEL", "STATUS", "OUTCOME", "TOKENS",
                    "COST USD", "MS",
                ]
            ]
            for event in events {
                rows.append([
                    iso(event.timestamp) as String, event.requestID, event.tenant ?? "-", event.alias ?? "-",
                    event.provider.map { "\($0)/\(event.providerModel ?? "")" } ?? "-", String(event.httpStatus),
                    event.outcome.rawValue,
                    event.totalTokens == nil ? "-" : "\(event.promptTokens ?? 0)+\(event.completionTokens ?? 0)",
                    event.cost?.description ?? (event.unpricedReason == nil ? "-" : "unpriced"),
                    String(format: "%.1f", event.latencyMs),
                ])
            }
            printLine(table(rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request's full audit event as JSON.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The request id (x-request-id).") var requestID: String

        func run() async throws {
            let config = try options.loadConfig()
            let event = try await options.withPorts(config) { try await $0.requestLog.find(requestID: requestID) }
            guard let event else { throw CLIError("no request \(requestID) in the log") }
            printLine(String(decoding: try AuditCodec.encode(event), as: UTF8.self))
        }
    }
}
