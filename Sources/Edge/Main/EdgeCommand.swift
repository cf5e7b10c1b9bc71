import ArgumentParser
import GatewayCore
import SwitchboardServices

@main
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-edge",
        abstract:
            "Switchboard's edge (self-hosted mode): API keys, quotas, CORS, request ids; forwards to the internal services as a streaming reverse proxy.",
        discussion: selfHostedEnvironmentHelp + "\n" + """

            Forwards /v1/chat/completions, /v1/completions, /v1/responses,
            /v1/embeddings and /v1/models to SWITCHBOARD_ROUTER_URL; /v1/images
            and /v1/audio to SWITCHBOARD_MEDIA_URL; /v1/rag to SWITCHBOARD_RAG_URL;
            /v1/billing and /dashboard to SWITCHBOARD_AUDIT_URL (defaults
            http://127.0.0.1:8081 to 8084). The API key is not forwarded: the
            tenant and key go in headers signed with SWITCHBOARD_INTERNAL_SECRET.
            A service that cannot be reached answers 503. Listens on 0.0.0.0:8080
            by default.
            """)

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await SelfHostedService.run(nil, options: options)
    }
}
