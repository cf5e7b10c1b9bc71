import ArgumentParser
import GatewayCore
import SwitchboardServices

@main
struct RAGCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-rag",
        abstract:
            "Switchboard's RAG service (self-hosted mode): /v1/rag/ingest (sync, or async jobs over Kafka) and /v1/rag/query, vectors in pgvector.",
        discussion: selfHostedEnvironmentHelp + "\n\n"
            + "Default listen 0.0.0.0:8083. Accepts only requests signed by the edge.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await SelfHostedService.run(.rag, options: options)
    }
}
