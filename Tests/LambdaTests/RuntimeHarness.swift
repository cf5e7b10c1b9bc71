import AsyncHTTPClient
import GatewayLambda
import Logging

/// A fake Runtime API and a client of it for one test.
enum RuntimeHarness {
    static func run<T>(_ body: (FakeRuntimeAPI, LambdaRuntimeClient) async throws -> T) async throws -> T {
        let fake = try await FakeRuntimeAPI.start()
        let httpClient = LambdaRuntimeClient.makeHTTPClient()
        let client = LambdaRuntimeClient(endpoint: fake.endpoint, httpClient: httpClient)
        do {
            let result = try await body(fake, client)
            try await httpClient.shutdown()
            await fake.stop()
            return result
        } catch {
            try? await httpClient.shutdown()
            await fake.stop()
            throw error
        }
    }

    static let logger = Logger(label: "lambda-tests")

    static func event(_ requestID: String, _ body: String) -> FakeRuntimeAPI.Event {
        FakeRuntimeAPI.Event(requestID: requestID, body: Array(body.utf8))
    }
}

extension RuntimeHarness {
    /// Runs the loop with `handler` until `count` answers arrived and the loop asked for the next event, then
    /// cancels it (which must end it without an error); the answers, in order.
    static func serve(
        _ fake: FakeRuntimeAPI, _ client: LambdaRuntimeClient, expecting count: Int,
        handler: @escaping @Sendable (LambdaInvocation, LambdaResponder) async throws -> Void
    ) async throws -> [FakeRuntimeAPI.Post] {
        let runtime = LambdaRuntime(client: client, logger: logger)
        let loop = Task { try await runtime.run(handler: handler) }
        let posts = try await fake.completedPosts(count)
        _ = try await fake.waitFor("the next long poll") { $0.nextRequests > count ? true : nil }
        loop.cancel()
        try await loop.value
        return posts
    }
}
