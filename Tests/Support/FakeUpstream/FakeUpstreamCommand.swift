import ArgumentParser
import Foundation
import Hummingbird
import NIOCore

/// Entry point. `switchboard-fake-upstream [--host 127.0.0.1] [--port 0] [--no-record] [--stream-delay-ms 0]
/// [--google-service-account <path>] [--google-token-ttl 3599]`
@main
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-fake-upstream",
        abstract:
            "A fast, deterministic fake of OpenAI-compatible, Anthropic, Bedrock, S3 Vectors and Google token upstreams for tests.",
        discussion: "Prints `listening on <port>` once the socket is bound.")

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = ephemeral).")
    var port = 0

    @Flag(name: .customLong("no-record"), help: "Do not keep the /_fake/requests log.")
    var noRecord = false

    @Option(name: .customLong("stream-delay-ms"), help: "Pause between streamed chunks, in milliseconds.")
    var streamDelayMilliseconds = 0

    @Option(
        name: .customLong("google-service-account"),
        help: "Service-account JSON whose key verifies JWTs sent to POST /token (without it, /token answers 500).")
    var googleServiceAccount: String?

    @Option(name: .customLong("google-token-ttl"), help: "expires_in of tokens from POST /token, in seconds.")
    var googleTokenTTL = 3599

    func validate() throws {
        guard googleTokenTTL > 0 else { throw ValidationError("--google-token-ttl must be > 0") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard streamDelayMilliseconds >= 0 else { throw ValidationError("--stream-delay-ms must be >= 0") }
    }

    func run() async throws {
        let account = try googleServiceAccount.map { try GoogleServiceAccount(contentsOf: $0) }
        let state = ServerState(
            recorder: noRecord ? nil : RequestRecorder(), streamDelayMilliseconds: streamDelayMilliseconds,
            googleTokens: GoogleTokens(account: account, ttlSeconds: googleTokenTTL))
        let app = Application(
            responder: FakeResponder(state: state),
            configuration: .init(address: .hostname(host, port: port), serverName: "switchboard-fake-upstream"),
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? 0
                FileHandle.standardOutput.write(Data("listening on \(boundPort)\n".utf8))
            }
        )
        try await app.runService()
    }
}
