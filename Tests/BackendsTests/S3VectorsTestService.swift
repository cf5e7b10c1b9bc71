import AsyncHTTPClient
import Foundation
import GatewayAWS
import GatewayAWSBackends
import GatewayCore

/// The S3 Vectors endpoint tests run against: `SWITCHBOARD_TEST_S3VECTORS_URL` (the fake upstream started by
/// `scripts/test`), with static test credentials and a fresh bucket per store.
enum S3VectorsTestService {
    static var baseURL: String? {
        ProcessInfo.processInfo.environment["SWITCHBOARD_TEST_S3VECTORS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static let credentials = StaticCredentialProvider(
        AWSCredentials(accessKeyID: "AKIDTESTS3VECTORS", secretAccessKey: "test-secret-not-real"))

    /// A client of the test service and the function that shuts its HTTP client down.
    static func makeClient() throws -> (S3VectorsClient, @Sendable () async -> Void) {
        guard let baseURL else { throw TestServiceMissing() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = S3VectorsClient(
            region: AWSRegion("us-east-1"), baseURL: baseURL, credentials: credentials, httpClient: http)
        return (client, { try? await http.shutdown() })
    }

    /// A store on a new bucket (unique per call, so runs against a long-lived service never meet).
    static func makeStore() async throws -> (S3VectorsStore, @Sendable () async -> Void) {
        let (client, shutdown) = try makeClient()
        let store = S3VectorsStore(client: client, bucket: "sb-test-\(UUID().uuidString.prefix(13).lowercased())")
        do {
            try await store.prepareBucket()
        } catch {
            await shutdown()
            throw error
        }
        return (store, shutdown)
    }

    struct TestServiceMissing: Error {}
}
