import ArgumentParser
import Foundation
import GatewayAWSBackends
import GatewayBackends
import GatewayCore
import SwitchboardApp

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list, revoke and re-enable gateway API keys (stored only as SHA-256 hashes).",
        subcommands: [Create.self, List.self, Revoke.self, Enable.self, Migrate.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create a key. Its details go to standard error; the key alone is the last line of standard output.")
        @OptionGroup var options: CommonOptions
        @Option(help: "Tenant the key belongs to.") var tenant: String
        @Option(help: "Label shown in logs and listings.") var label: String?
        @Option(help: "Expiry, YYYY-MM-DD (UTC midnight) or an ISO 8601 timestamp.") var expires: String?
        @Option(help: "Comma-separated model aliases the key may use (default: all).") var models: String?
        @Option(help: "Requests per minute for this key.") var rpm: Int?
        @Option(help: "Requests per day for this key.") var rpd: Int?
        @Flag(help: "An operator's key: it may read any tenant's usage (GET /v1/billing/usage?tenant=…).")
        var admin = false

        func run() async throws {
            guard !tenant.isEmpty else { throw ValidationError("--tenant must not be empty") }
            var expiry: Date?
            if let expires {
                guard let date = parseDate(expires) else {
                    throw ValidationError("--expires must be YYYY-MM-DD or an ISO 8601 timestamp")
                }
                expiry = date
            }
            if let rpm, rpm < 1 { throw ValidationError("--rpm must be ≥ 1") }
            if let rpd, rpd < 1 { throw ValidationError("--rpd must be ≥ 1") }
            let modelList = models?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            let config = try options.loadConfig()
            let key = APIKey.generate()
            let record = APIKeyRecord(
                hash: APIKey.hash(key), tenant: tenant, label: label ?? tenant, createdAt: Date(), expiresAt: expiry,
                models: modelList, rpm: rpm, rpd: rpd, admin: admin)
            try await options.withPorts(config) { try await $0.keys.create(record) }
            FileHandle.standardError.write(
                Data(
                    "Created \(record.keyID) for tenant \(tenant). Store the key now: it is not shown again.\n".utf8))
            printLine(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves).")
        @OptionGroup var options: CommonOptions
        @Option(help: "Only this tenant's keys.") var tenant: String?

        func run() async throws {
            let config = try options.loadConfig()
            let records = try await options.withPorts(config) { try await $0.keys.list(tenant: tenant) }
            let now = Date()
            var rows = [["KEY ID", "TENANT", "LABEL", "STATUS", "CREATED", "EXPIRES", "MODELS", "RPM", "RPD", "ADMIN"]]
            for record in records {
                let status =
                    record.rejection(at: now) == nil ? "active" : (record.status == .active ? "expired" : "disabled")
                rows.append([
                    record.keyID, record.tenant, record.label, status, iso(record.createdAt),
                    record.expiresAt.map(iso) ?? "-", record.models?.joined(separator: ",") ?? "*",
                    record.rpm.map(String.init) ?? "-", record.rpd.map(String.init) ?? "-", record.admin ? "yes" : "-",
                ])
            }
            printLine(table(rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a key by its key id (takes effect within keys.cache_seconds).")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The key id shown by `keys list` (key_…).") var keyID: String

        func run() async throws { try await setStatus(options, keyID, .disabled, "Revoked") }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-enable a disabled key.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The key id shown by `keys list` (key_…).") var keyID: String

        func run() async throws { try await setStatus(options, keyID, .active, "Enabled") }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "AWS mode: re-key the API key secret by SHA-256 hashes (from the original gateway's plaintext keys).",
            discussion: """
                The original TypeScript gateway kept its keys in Secrets Manager as a JSON map keyed by the keys
                themselves. Switchboard reads that map as it is (so nothing breaks on the day of the switch).

                Without an argument, this rewrites the secret named by SWITCHBOARD_API_KEYS_SECRET (default
                /switchboard/api-keys) so that it holds only hashes, keeping every key's tenant, label, status, dates
                and limits; entries already hashed are kept, and running it twice changes nothing. With a secret
                (for example /llm-gateway/api-keys), its keys are imported, hashed, into Switchboard's secret and the
                old secret is left as it is. Needs SWITCHBOARD_BACKEND=aws and AWS credentials allowed to read (and
                write) those secrets. Keys are never printed.
                """)
        @OptionGroup var options: CommonOptions
        @Argument(help: "A secret to import keys from (default: convert SWITCHBOARD_API_KEYS_SECRET in place).")
        var source: String?

        func run() async throws {
            guard ProcessBootstrap.usesAWS(ProcessInfo.processInfo.environment) else {
                throw CLIError("keys migrate works on AWS mode's key secret: set SWITCHBOARD_BACKEND=aws")
            }
            if let source {
                let (imported, present) = try await options.withAWS {
                    try await $0.apiKeys.importKeys(fromSecret: source)
                }
                printLine("Imported \(imported) key(s) from \(source), stored hashed; \(present) already present.")
            } else {
                let (migrated, kept) = try await options.withAWS { try await $0.apiKeys.migratePlaintextKeys() }
                printLine("Migrated \(migrated) plaintext key(s) to hashes; \(kept) already hashed.")
            }
        }
    }
}

func setStatus(_ options: CommonOptions, _ keyID: String, _ status: APIKeyRecord.Status, _ verb: String) async throws {
    let config = try options.loadConfig()
    let found = try await options.withPorts(config) { try await $0.keys.setStatus(keyID: keyID, status: status) }
    guard found else { throw CLIError("no key with id \(keyID)") }
    printLine("\(verb) \(keyID)")
}

func parseDate(_ text: String) -> Date? {
    if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
    return try? Date(text, strategy: .iso8601)
}

func iso(_ date: Date) -> String { date.formatted(.iso8601) }

/// A plain text table with aligned columns.
func table(_ rows: [[String]]) -> String {
    guard let header = rows.first else { return "" }
    var widths = header.map(\.count)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
