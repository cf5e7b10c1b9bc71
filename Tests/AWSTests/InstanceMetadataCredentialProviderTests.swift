import AsyncHTTPClient
import Foundation
import GatewayAWS
import Synchronization
import TestSupport
import Testing

/// The instance metadata provider against a fake IMDS written here (moto serves the same paths but accepts any
/// token and never refuses a call without one, so the IMDSv2 rules are checked on this fake; the moto-backed
/// suite fetches from moto's IMDS too).
@Suite("AWS EC2 instance metadata credentials")
struct InstanceMetadataCredentialProviderTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let sessionToken = "IQoJb3JpZ2luX2VjEXAMPLEIMDS"
    static let imdsToken = "AQAEAEXAMPLEIMDSv2TOKEN=="

    /// A fake IMDS: IMDSv2 tokens (or 404/405/403 to the PUT), a role list and credentials, each GET refused with
    /// 401 without the token unless v1 is served.
    struct FakeIMDS: Sendable {
        var tokenStatus = 200
        var role: String? = "web-role"
        var expiration = "2030-01-01T00:00:00Z"
        var code = "Success"

        func answer(_ request: LocalHTTPServer.Received) -> LocalHTTPServer.Answer {
            let v1 = tokenStatus == 404 || tokenStatus == 405
            if request.uri == "/latest/api/token" {
                guard request.method == "PUT" else { return .init(status: 405, body: "") }
                guard request.header("x-aws-ec2-metadata-token-ttl-seconds") != nil else {
                    return .init(status: 400, body: "")
                }
                return .init(
                    status: tokenStatus,
                    body: tokenStatus == 200 ? InstanceMetadataCredentialProviderTests.imdsToken : "")
            }
            guard request.method == "GET" else { return .init(status: 405, body: "") }
            if !v1, request.header("x-aws-ec2-metadata-token") != InstanceMetadataCredentialProviderTests.imdsToken {
                return .init(status: 401, body: "")
            }
            switch request.uri {
            case "/latest/meta-data/iam/security-credentials/":
                return role.map { .init(status: 200, body: $0 + "\n") } ?? .init(status: 404, body: "")
            case "/latest/meta-data/iam/security-credentials/\(role ?? "-")":
                return .init(
                    status: 200,
                    body: """
                        {"Code":"\(code)","LastUpdated":"2029-12-31T18:00:00Z","Type":"AWS-HMAC",\
                        "AccessKeyId":"ASIAIMDS","SecretAccessKey":"\(InstanceMetadataCredentialProviderTests.secret)",\
                        "Token":"\(InstanceMetadataCredentialProviderTests.sessionToken)","Expiration":"\(expiration)"}
                        """)
            default:
                return .init(status: 404, body: "")
            }
        }
    }

    func withIMDS(
        _ fake: FakeIMDS = FakeIMDS(), _ body: (LocalHTTPServer, HTTPClient, [String: String]) async throws -> Void
    ) async throws {
        try await LocalHTTPServer.serving(try await LocalHTTPServer.start(route: { fake.answer($0) })) {
            server, client in
            // A generous per-request limit: the suite may run on a loaded machine.
            let environment = [
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(server.port)/",
                "AWS_METADATA_SERVICE_TIMEOUT": "10",
            ]
            try await body(server, client, environment)
        }
    }

    @Test func imdsV2TokenThenRoleThenCredentials() async throws {
        try await withIMDS { server, client, environment in
            let credentials = try await InstanceMetadataCredentialProvider(environment: environment, httpClient: client)
                .credentials()
            #expect(
                credentials
                    == AWSCredentials(
                        accessKeyID: "ASIAIMDS", secretAccessKey: Self.secret, sessionToken: Self.sessionToken,
                        expiration: Date(timeIntervalSince1970: 1_893_456_000)))
            let requests = server.requests
            #expect(
                requests.map { "\($0.method) \($0.uri)" } == [
                    "PUT /latest/api/token", "GET /latest/meta-data/iam/security-credentials/",
                    "GET /latest/meta-data/iam/security-credentials/web-role",
                ])
            #expect(requests.first?.header("x-aws-ec2-metadata-token-ttl-seconds") == "21600")
            #expect(requests.dropFirst().allSatisfy { $0.header("x-aws-ec2-metadata-token") == Self.imdsToken })
        }
    }

    @Test func imdsV1FallbackOnlyWhenAllowed() async throws {
        for status in [404, 405] {
            try await withIMDS(FakeIMDS(tokenStatus: status)) { server, client, environment in
                let provider = InstanceMetadataCredentialProvider(environment: environment, httpClient: client)
                let credentials = try await provider.credentials()
                #expect(credentials.accessKeyID == "ASIAIMDS")
                #expect(server.requests.dropFirst().allSatisfy { $0.header("x-aws-ec2-metadata-token") == nil })
                let strict = InstanceMetadataCredentialProvider(
                    environment: environment.merging(["AWS_EC2_METADATA_V1_DISABLED": "true"]) { $1 },
                    httpClient: client)
                await #expect {
                    _ = try await strict.credentials()
                } throws: { error in
                    (error as? AWSCredentialError)?.message.contains("HTTP \(status)") == true
                }
            }
        }
    }

    @Test func refusalsAndMissingRolesNameTheProblem() async throws {
        try await withIMDS(FakeIMDS(tokenStatus: 403)) { _, client, environment in
            await #expect {
                _ = try await InstanceMetadataCredentialProvider(environment: environment, httpClient: client)
                    .credentials()
            } throws: { error in
                guard let error = error as? AWSCredentialError else { return false }
                return error.kind == .unavailable && error.message.contains("HTTP 403")
            }
        }
        try await withIMDS(FakeIMDS(role: nil)) { _, client, environment in
            await #expect {
                _ = try await InstanceMetadataCredentialProvider(environment: environment, httpClient: client)
                    .credentials()
            } throws: { error in
                guard let error = error as? AWSCredentialError else { return false }
                return error.kind == .notConfigured && error.message.contains("no IAM role")
            }
        }
        try await withIMDS(FakeIMDS(code: "AssumeRoleUnauthorizedAccess")) { _, client, environment in
            await #expect {
                _ = try await InstanceMetadataCredentialProvider(environment: environment, httpClient: client)
                    .credentials()
            } throws: { error in
                guard let error = error as? AWSCredentialError else { return false }
                return error.message.contains("AssumeRoleUnauthorizedAccess")
                    && !error.description.contains(Self.secret)
            }
        }
    }

    @Test func endpointSelectionAndSwitch() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func endpoint(_ environment: [String: String]) throws -> String {
            try InstanceMetadataCredentialProvider(environment: environment, httpClient: client).endpoint()
        }
        #expect(try endpoint([:]) == "http://169.254.169.254")
        #expect(try endpoint(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"]) == "http://[fd00:ec2::254]")
        #expect(try endpoint(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/"]) == "http://127.0.0.1:9")
        #expect {
            _ = try endpoint(["AWS_EC2_METADATA_DISABLED": "TRUE"])
        } throws: { error in
            (error as? AWSCredentialError)?.kind == .notConfigured
        }
        #expect(InstanceMetadataCredentialProvider(environment: [:], httpClient: client).timeoutSeconds == 1)
        #expect(
            InstanceMetadataCredentialProvider(environment: ["AWS_METADATA_SERVICE_TIMEOUT": "2.5"], httpClient: client)
                .timeoutSeconds == 2.5)
        try await client.shutdown()
    }

    @Test func noServiceMeansNotConfiguredSoTheChainEndsWithAClearMessage() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = AWSCredentialChain.standard(
            environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"],
            httpClient: client)
        do {
            _ = try await chain.credentials()
            Issue.record("expected an error")
        } catch let error as AWSCredentialError {
            #expect(error.kind == .notConfigured)
            #expect(
                error.message.contains(
                    "tried: environment, web-identity, shared-files, container, instance-metadata"))
            #expect(error.message.contains("instance-metadata: no instance metadata service answered"))
            #expect(error.message.contains("AWS_WEB_IDENTITY_TOKEN_FILE is not set"))
        }
        try await client.shutdown()
        withExtendedLifetime(refusing) {}
    }

    @Test func theChainRefreshesInstanceCredentialsBeforeTheyExpire() async throws {
        let clock = ManualClock()
        let expiration = AWSTimestamp.iso8601(clock.now().addingTimeInterval(3600))
        try await withIMDS(FakeIMDS(expiration: expiration)) { server, client, environment in
            let chain = AWSCredentialChain.standard(
                environment: environment.merging(["HOME": "/nonexistent"]) { $1 }, httpClient: client, clock: clock)
            _ = try await chain.credentials()
            clock.advance(by: 3000)
            _ = try await chain.credentials()
            #expect(server.requests.count == 3, "cached")
            clock.advance(by: 400)
            _ = try await chain.credentials()
            #expect(server.requests.count == 6, "fetched again 5 minutes before Expiration, with a new token")
        }
    }
}
