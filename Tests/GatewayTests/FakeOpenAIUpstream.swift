import Foundation
import GatewaySchema
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A plain-HTTP OpenAI-compatible upstream for tests of the gateway's chat path, behaving by the model asked for:
/// `fail-503` answers 503, `bad-400` answers 400 (both with OpenAI's error envelope), `slow` answers after
/// 400 ms, anything else a `chat.completion` naming the model, with usage 7 + 3. It counts the calls per model.
final class FakeOpenAIUpstream: Sendable {
    let port: Int
    let counter: CallCounter

    init(port: Int, counter: CallCounter) {
        self.port = port
        self.counter = counter
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// How many calls asked for `model`.
    func calls(_ model: String) -> Int { counter.calls.withLock { $0[model] ?? 0 } }

    static func run<T: Sendable>(_ body: @Sendable (FakeOpenAIUpstream) async throws -> T) async throws -> T {
        let counter = CallCounter()
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let model = (try? JSONParser.parse(Array(buffer: bytes)))?["model"]?.stringValue ?? ""
            counter.count(model)
            switch model {
            case "fail-503":
                return Self.json(503, #"{"error":{"message":"overloaded","type":"server_error","code":null}}"#)
            case "bad-400":
                return Self.json(
                    400, #"{"error":{"message":"bad thing","type":"invalid_request_error","code":"bad_thing"}}"#)
            case "slow":
                try await Task.sleep(for: .milliseconds(400))
            default:
                break
            }
            return Self.json(
                200,
                #"{"id":"chatcmpl-up","object":"chat.completion","created":1,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"hello from \#(model)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}"#
            )
        }
        let portBox = Mutex<Int?>(nil)
        var logger = Logger(label: "fake-openai")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portBox.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = ServiceGroup(services: [app], logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var port: Int?
            for _ in 0..<500 {
                port = portBox.withLock { $0 }
                if port != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let port else { throw TestFailure("the fake upstream did not start") }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(FakeOpenAIUpstream(port: port, counter: counter)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    static func json(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    final class CallCounter: Sendable {
        let calls = Mutex<[String: Int]>([:])
        func count(_ model: String) { calls.withLock { $0[model, default: 0] += 1 } }
    }
}
