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
            With --postgres-url (or $SWITCHBOARD_POSTGRES_URL) the admin subcommands work on a self-hosted
            deployment's PostgreSQL database instead; the self-hosted services are the switchboard-edge,
            switchboard-router, switchboard-media, switchboard-rag and switchboard-audit binaries.
            With SWITCHBOARD_BACKEND=aws they work on AWS mode's DynamoDB tables, SQS queues and Secrets Manager
            secret instead (named by SWITCHBOARD_*_TABLE, SWITCHBOARD_*_QUEUE_URL, SWITCHBOARD_API_KEYS_SECRET; see
            deploy/aws/README.md); `keys migrate` and `dlq replay` are AWS mode's.
            """,
        subcommands: [
            ServeCommand.self, KeysCommand.self, RoutesCommand.self, RequestsCommand.self, ConfigCommand.self,
            MigrateCommand.self, UsageCommand.self, DLQCommand.self,
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

    @Option(
        name: .long,
        help: """
            Work on a self-hosted deployment's PostgreSQL database instead of the SQLite file (default:             $SWITCHBOARD_POSTGRES_URL). Keys, routes, requests, usage and migrate honour it.
            """)
    var postgresURL: String?
}
