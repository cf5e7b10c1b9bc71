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
