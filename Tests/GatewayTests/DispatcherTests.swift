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

    var dispatcher: Dispatcher {
        var config = GatewayConfig()
        config.environment = [:]
        return Dispatcher(
            registry: ProviderRegistry(config: config, http: sharedTestHTTP), breakers: breakers, retry: retry)
    }

    static func candidates(_ models: [String]) -> [RouteTable.Candidate] {
        models.map {
            RouteTable.Candidate(alias: "a", target: RouteTarget(provider: ProviderRef(family: .mock), model: $0))
        }
    }

    func run(_ models: [String]) async throws -> (String, AuditRecorder) {
        let audit = AuditRecorder(requestID: "r")
        return (try await run(dispatcher.plan(Self.candidates(models)), audit: audit), audit)
    }

    /// Runs `plan` (perhaps begun elsewhere) against the scripted provider.
    func run(_ plan: DispatchPlan, audit: AuditRecorder) async throws -> String {
        let provider = self.provider
        let (result, _) = try await dispatcher.run(plan, endpoint: .chat, audit: audit) { _, resolved in
            try await provider.send(
                ProviderCall(target: resolved.target, credential: nil, endpoint: .chat, body: [:], requestID: "r"))
        }
        return result.body["content"]?.stringValue ?? ""
    }
}

/// Never deallocated (AsyncHTTPClient requires a shutdown before deinit); the scripted tests make no HTTP calls.
let sharedTestHTTP = UpstreamHTTP(settings: .init())

let unavailable = ProviderError(.upstreamServerError, upstreamStatus: 503, message: "down")
let badRequest = ProviderError(.badRequest, upstreamStatus: 400, message: "bad")

@Suite struct DispatcherTests {
    /// The event-loop fast path makes a plan's first attempt itself; the regular path continues the same plan.
    @Test func aPlanWhoseFirstAttemptFailedElsewhereGoesOnWithTheNextAttempt() async throws {
        let dispatch = ScriptedDispatch(["first": [.success("again")], "second": [.success("ok")]], maxAttempts: 2)
        var plan = try dispatch.dispatcher.plan(ScriptedDispatch.candidates(["first", "second"]))
        let prepared = dispatch.dispatcher.prepareFirstAttempt(plan) { candidate, _, target in
            (candidate.target.model, target.target.model)
        }
        #expect(prepared?.0 == "first" && prepared?.1 == "first")
        let audit = AuditRecorder(requestID: "r")
        dispatch.dispatcher.firstAttemptFailed(&plan, .chat, audit, Stopwatch(), error: unavailable)
        #expect(try await dispatch.run(plan, audit: audit) == "ok")
        #expect(dispatch.provider.callLog == ["second"], "the first target is not tried twice")
        #expect(audit.snapshot.attempts.map(\.result) == ["upstream_server_error", "ok"])
        // The budget counts the attempt made elsewhere: with one attempt left and it failing, the request fails.
        let short = ScriptedDispatch(["first": [.success("never")], "second": [.failure(unavailable)]], maxAttempts: 2)
        var shortPlan = try short.dispatcher.plan(ScriptedDispatch.candidates(["first", "second"]))
        short.dispatcher.firstAttemptFailed(
            &shortPlan, .chat, AuditRecorder(requestID: "r"), Stopwatch(), error: unavailable)
        await #expect(throws: DispatchFailure.self) {
            try await short.run(shortPlan, audit: AuditRecorder(requestID: "r"))
        }
        #expect(short.provider.callLog == ["second"])
    }

    @Test func aNonRetryableFirstAttemptMadeElsewhereEndsThePlan() async throws {
        let dispatch = ScriptedDispatch(["first": [.success("never")], "second": [.success("never")]])
        var plan = try dispatch.dispatcher.plan(ScriptedDispatch.candidates(["first", "second"]))
        dispatch.dispatcher.firstAttemptFailed(
            &plan, .chat, AuditRecorder(requestID: "r"), Stopwatch(), error: badRequest)
        do {
            _ = try await dispatch.run(plan, audit: AuditRecorder(requestID: "r"))
            Issue.record("expected the first attempt's failure")
        } catch let failure as DispatchFailure {
            #expect(failure.gatewayError.status == 400)
            #expect(failure.candidate.target.model == "first")
        }
        #expect(dispatch.provider.callLog.isEmpty)
    }

    /// The fast path takes only a target whose circuit is closed, and looking changes no circuit.
    @Test func aFirstAttemptIsPreparedOnlyForAClosedCircuit() async throws {
        let dispatch = ScriptedDispatch(["x": [.failure(unavailable)]], maxAttempts: 1, threshold: 1)
        let plan = try dispatch.dispatcher.plan(ScriptedDispatch.candidates(["x"]))
        #expect(dispatch.dispatcher.prepareFirstAttempt(plan) { _, _, _ in true } == true)
        await #expect(throws: DispatchFailure.self) { try await dispatch.run(["x"]) }
        #expect(dispatch.breakers.isOpen("mock/x"))
        #expect(dispatch.dispatcher.prepareFirstAttempt(plan) { _, _, _ in true } == nil)
        #expect(dispatch.breakers.isOpen("mock/x"))
        #expect(!dispatch.breakers.isClosed("mock/x"))
    }

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
