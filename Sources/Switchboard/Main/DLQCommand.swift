import ArgumentParser
import Foundation
import GatewayAWSBackends
import SwitchboardApp

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "AWS mode: the audit queue's dead letters.",
        subcommands: [Replay.self])

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move audit events from the dead-letter queue back to the audit queue.",
            discussion: """
                An audit event lands in the dead-letter queue (SWITCHBOARD_AUDIT_DLQ_URL) after the audit function
                failed it several times, for example while the request log table was unavailable. Once the cause
                is fixed, this sends each message back to SWITCHBOARD_AUDIT_QUEUE_URL and only then deletes it from
                the dead-letter queue, so an interrupted replay loses nothing (a message may be sent twice; the
                request log ignores a request id it already has). Needs SWITCHBOARD_BACKEND=aws.
                """)
        @OptionGroup var options: CommonOptions
        @Option(help: "Move at most this many messages (default: all).") var limit: Int?

        func run() async throws {
            guard ProcessBootstrap.usesAWS(ProcessInfo.processInfo.environment) else {
                throw CLIError("dlq replay works on AWS mode's queues: set SWITCHBOARD_BACKEND=aws")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be ≥ 1") }
            let moved = try await options.withAWS { store -> Int in
                guard let replay = store.auditDLQReplay else {
                    throw CLIError("set SWITCHBOARD_AUDIT_QUEUE_URL and SWITCHBOARD_AUDIT_DLQ_URL")
                }
                return try await replay.run(limit: limit ?? .max)
            }
            printLine("Moved \(moved) message(s) from the dead-letter queue back to the audit queue.")
        }
    }
}
