import Foundation
import GatewaySchema
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

@testable import FakeUpstream

/// The fake OpenAI-compatible upstream that the end-to-end suite proves against the official `openai` SDK
/// (`switchboard-fake-upstream`), run in this process on an ephemeral port. It behaves by the model asked for
/// (`ModelBehavior`: `status-503`, `status-400`, `slow-400`, …) and records every request.
struct FakeOpenAIUpstream: Sendable {
    let port: Int
    let recorder: RequestRecorder

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// How many chat calls asked for `model`.
    func calls(_ model: String) -> Int {
        recorder.snapshot().filter { request in
            request.path == "/v1/chat/completions"
                && request.body.flatMap { try? JSONParser.parse(Array(buffer: $0)) }?["model"]?.stringValue == model
        }.count
    }

    static func run<T: Sendable>(_ body: @Sendable (FakeOpenAIUpstream) async throws -> T) async throws -> T {
        let recorder = RequestRecorder()
        let state = ServerState(
            recorder: recorder, streamDelayMilliseconds: 0, googleTokens: GoogleTokens(account: nil, ttlSeconds: 3600))
        let portBox = PortBox()
        var logger = Logger(label: "fake-openai")
        logger.logLevel = .critical
        let app = Application(
            responder: FakeResponder(state: state),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portBox.set(channel.localAddress?.port) }, logger: logger)
        return try await TestServices.run([app], logger: logger, port: portBox) { port in
            try await body(FakeOpenAIUpstream(port: port, recorder: recorder))
        }
    }
}
