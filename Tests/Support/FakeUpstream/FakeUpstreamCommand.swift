import ArgumentParser
import Foundation
import Hummingbird
import NIOCore

/// Entry point. `switchboard-fake-upstream [--host 127.0.0.1] [--port 0] [--no-record] [--stream-delay-ms 0]`
@main
struct FakeUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-fake-upstream",
        abstract: "A fast, deterministic OpenAI-compatible upstream for tests and benchmarks.",
        discussion: "Prints `listening on <port>` once the socket is bound.")

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0 = ephemeral).")
    var port = 0

    @Flag(name: .customLong("no-record"), help: "Do not keep the /_fake/requests log.")
    var noRecord = false

    @Option(name: .customLong("stream-delay-ms"), help: "Pause between streamed chunks, in milliseconds.")
    var streamDelayMilliseconds = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        guard streamDelayMilliseconds >= 0 else { throw ValidationError("--stream-delay-ms must be >= 0") }
    }

    func run() async throws {
        let state = ServerState(
            recorder: noRecord ? nil : RequestRecorder(), streamDelayMilliseconds: streamDelayMilliseconds)
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
