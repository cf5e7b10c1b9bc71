import ArgumentParser
import GatewayCore
import SwitchboardServices

@main
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-media",
        abstract:
            "Switchboard's media service (self-hosted mode): /v1/images/* and /v1/audio/*, routed by alias with fallbacks.",
        discussion: selfHostedEnvironmentHelp + "\n\n"
            + "Default listen 0.0.0.0:8082. Accepts only requests signed by the edge.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await SelfHostedService.run(.media, options: options)
    }
}
