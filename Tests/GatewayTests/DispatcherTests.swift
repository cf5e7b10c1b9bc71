import GatewayCore
import GatewaySchema
import Synchronization
import Testing

@testable import GatewayProviders
@testable import GatewayRouter

/// A provider that answers from a script per model: each call pops the next outcome (the last one repeats).
final class ScriptedProvider: Provider {
    let script: Mutex<[String: [Result<String, ProviderError>]]>
    let calls: Mutex<[String]> = Mutex([])

    init(_ script: [String: [Result<String, ProviderError>]]) { self.script = Mutex(script) }

    func next(_ model: String) -> Result<String, ProviderError> {
        calls.withLock { $0.append(model) }
        return script.withLock { script in
            guard var outcomes = script[model], !outcomes.isEmpty else {
                return .failure(ProviderError(.notFound, message: "unscripted"))
            }
            let outcome = outcomes.count > 1 ? outcomes.removeFirst() : outcomes[0]
            script[model] = outcomes
            return outcome
        }
    }

    func send(_ call: ProviderCall) async throws -> ProviderResult {
        let text = try next(call.target.model).get()
        return ProviderResult(body: ["content": .string(text)], usage: nil)
    }

    func stream(_ call: ProviderCall) async throws -> StartedStream {
        let outcome = next(call.target.model)
        return try await StartedStream.start { yield, started in
            let text = try outcome.get()
            yield(["content": .string(text)])
            started()
        }
    }

    var callLog: [String] { calls.withLock { $0 } }
}

/// A registry seam for tests: every provider ref resolves to the scripted provider.
struct ScriptedDispatch {
    let provider: ScriptedProvider
    let breakers: CircuitBreakers
    let retry: GatewayConfig.Retry

    init(_ script: [String: [Result<String, ProviderError>]], maxAttempts: Int = 3, threshold: Int = 5) {
        provider = ScriptedProvider(script)
        breakers = CircuitBreakers(settings: .init(failureThreshold: threshold, openDuration: .seconds(60)))
        var retry = GatewayConfig.Retry()
        retry.maxAttempts = maxAttempts
        retry.backoffBaseMilliseconds = 1
        retry.backoffMaxMilliseconds = 2
        self.retry = retry
    }

    func run(_ models: [String]) async throws -> (String, AuditRecorder) {
        var config = GatewayConfig()
        config.environment = [:]
        let dispatcher = Dispatcher(
            registry: ProviderRegistry(config: config, http: sharedTestHTTP), breakers: breakers,
            retry: retry)
        let candidates = models.map {
            RouteTable.Candidate(alias: "a", target: RouteTarget(provider: ProviderRef(family: .mock), model: $0))
        }
        let audit = AuditRecorder(requestID: "r")
        let provider = self.provider
        let (result, _) = try await dispatcher.run(candidates, endpoint: .chat, audit: audit) { _, resolved in
            try await provider.send(
                ProviderCall(target: resolved.target, credential: nil, endpoint: .chat, body: [:], requestID: "r"))
        }
        return (result.body["content"]?.stringValue ?? "", audit)
    }
}

/// Never deallocated (AsyncHTTPClient requires a shutdown before deinit); the scripted tests make no HTTP calls.
let sharedTestHTTP = UpstreamHTTP(settings: .init())

let unavailable = ProviderError(.upstreamServerError, upstreamStatus: 503, message: "down")
let badRequest = ProviderError(.badRequest, upstreamStatus: 400, message: "bad")

@Suite struct DispatcherTests {
    @Test func fallsBackToTheNextTargetOnARetryableError() async throws {
        let dispatch = ScriptedDispatch(["first": [.failure(unavailable)], "second": [.success("ok")]])
        let (text, audit) = try await dispatch.run(["first", "second"])
        #expect(text == "ok")
        #expect(dispatch.provider.callLog == ["first", "second"])
        #expect(audit.snapshot.attempts.map(\.result) == ["upstream_server_error", "ok"])
        #expect(audit.snapshot.attempts.map(\.httpStatus) == [503, 200])
        #expect(audit.snapshot.providerModel == "second")
    }

    @Test func retriesASingleTargetWithinTheBudget() async throws {
        let dispatch = ScriptedDispatch([
            "only": [.failure(unavailable), .failure(unavailable), .success("third time")]
        ])
        let (text, _) = try await dispatch.run(["only"])
        #expect(text == "third time")
        #expect(dispatch.provider.callLog.count == 3)
    }

    @Test func givesUpAfterTheAttemptBudget() async throws {
        let dispatch = ScriptedDispatch(["a": [.failure(unavailable)], "b": [.failure(unavailable)]], maxAttempts: 3)
        await #expect(throws: DispatchFailure.self) { try await dispatch.run(["a", "b"]) }
        #expect(dispatch.provider.callLog == ["a", "b", "a"])
    }

    @Test func nonRetryableErrorsReturnAtOnce() async throws {
        let dispatch = ScriptedDispatch(["a": [.failure(badRequest)], "b": [.success("never")]])
        do {
            _ = try await dispatch.run(["a", "b"])
            Issue.record("expected a failure")
        } catch let failure as DispatchFailure {
            #expect(failure.gatewayError.status == 400)
        }
        #expect(dispatch.provider.callLog == ["a"])
    }

    @Test func anOpenCircuitTakesTheTargetOutOfRotation() async throws {
        let dispatch = ScriptedDispatch(
            ["bad": [.failure(unavailable)], "good": [.success("ok")]], maxAttempts: 2, threshold: 2)
        for _ in 0..<2 { _ = try await dispatch.run(["bad", "good"]) }
        #expect(dispatch.breakers.isOpen("mock/bad"))
        let before = dispatch.provider.callLog.filter { $0 == "bad" }.count
        for _ in 0..<10 { _ = try await dispatch.run(["bad", "good"]) }
        #expect(dispatch.provider.callLog.filter { $0 == "bad" }.count == before, "open target not called")
    }

    @Test func everyTargetOpenStillTriesThem() async throws {
        let dispatch = ScriptedDispatch(
            ["x": [.failure(unavailable), .failure(unavailable), .success("back")]], maxAttempts: 1, threshold: 1)
        await #expect(throws: DispatchFailure.self) { try await dispatch.run(["x"]) }
        #expect(dispatch.breakers.isOpen("mock/x"))
        await #expect(throws: DispatchFailure.self) { try await dispatch.run(["x"]) }
        #expect(dispatch.provider.callLog.count == 2, "with nothing healthy left, the open target is still tried")
    }

    @Test func streamFailuresBeforeTheFirstChunkFallBack() async throws {
        let dispatch = ScriptedDispatch(["a": [.failure(unavailable)], "b": [.success("streamed")]])
        var config = GatewayConfig()
        config.environment = [:]
        let dispatcher = Dispatcher(
            registry: ProviderRegistry(config: config, http: sharedTestHTTP),
            breakers: dispatch.breakers, retry: dispatch.retry)
        let candidates = ["a", "b"].map {
            RouteTable.Candidate(alias: "s", target: RouteTarget(provider: ProviderRef(family: .mock), model: $0))
        }
        let provider = dispatch.provider
        let (started, served) = try await dispatcher.run(
            candidates, endpoint: .chat, audit: AuditRecorder(requestID: "r")
        ) {
            _, resolved in
            try await provider.stream(
                ProviderCall(target: resolved.target, credential: nil, endpoint: .chat, body: [:], requestID: "r"))
        }
        #expect(served.target.model == "b")
        var chunks: [JSONObject] = []
        for try await chunk in started.chunks { chunks.append(chunk) }
        #expect(chunks == [["content": "streamed"]])
    }
}
