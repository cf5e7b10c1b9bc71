import ArgumentParser
import GatewayCore
import SwitchboardServices

@main
struct RouterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-router",
        abstract:
            "Switchboard's router (self-hosted mode): chat, completions, responses, embeddings and models — alias routing, fallbacks, provider translation, streaming.",
        discussion: selfHostedEnvironmentHelp + "\n\n"
            + "Default listen 0.0.0.0:8081. Accepts only requests signed by the edge.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await SelfHostedService.run(.router, options: options)
    }
}
