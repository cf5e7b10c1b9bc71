import ArgumentParser
import GatewayCore
import SwitchboardServices

@main
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-audit",
        abstract:
            "Switchboard's audit service (self-hosted mode): consumes audit events from Kafka into the PostgreSQL request log; serves /v1/billing/usage and the dashboard.",
        discussion: selfHostedEnvironmentHelp + "\n\n"
            + "Default listen 0.0.0.0:8084. Accepts only requests signed by the edge\n(the dashboard page itself is public)."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await SelfHostedService.run(.audit, options: options)
    }
}
