import ArgumentParser

@main
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract:
            "An OpenAI-compatible LLM gateway for OpenAI, Anthropic, Bedrock, Gemini and Vertex: routing, keys, quotas, request logging, billing.",
        discussion: """
            Embedded mode runs every service in this one process over a SQLite file in the data directory.
            Every subcommand reads the same configuration (--config, then environment variables, then flags).
            """,
        subcommands: [
            ServeCommand.self, KeysCommand.self, RoutesCommand.self, RequestsCommand.self, ConfigCommand.self,
            MigrateCommand.self, UsageCommand.self,
        ],
        defaultSubcommand: ServeCommand.self)
}

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long, help: "YAML configuration file (default: $SWITCHBOARD_CONFIG, else ./switchboard.yaml if present)."
    )
    var config: String?

    @Option(name: .long, help: "Data directory for the SQLite file (overrides the file and $SWITCHBOARD_DATA_DIR).")
    var dataDir: String?
}
