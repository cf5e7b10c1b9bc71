import AsyncHTTPClient
import Foundation
import GatewayAWS
import NIOCore
import TestSupport
import Testing

@Suite("AWS container credentials endpoint")
struct ContainerCredentialProviderTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let sessionToken = "IQoJb3JpZ2luX2VjEXAMPLE"
    static let authToken = "container-auth-token-EXAMPLE"
    static let answer = """
        {"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"\(secret)","Token":"\(sessionToken)",\
        "Expiration":"2030-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/task"}
        """

    /// Runs `body` with a local endpoint answering `status`/`answer` and a client, shutting both down after.
    func withEndpoint(
        status: Int = 200, answer: String = Self.answer,
        _ body: (LocalHTTPServer, HTTPClient) async throws -> Void
    ) async throws {
        try await LocalHTTPServer.serving(try await LocalHTTPServer.start(status: status, body: answer), body)
    }

    @Test func fullURIWithAuthorizationToken() async throws {
        try await withEndpoint { server, client in
            let provider = ContainerCredentialProvider(
                environment: [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(server.port)/v1/credentials",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken,
                ], httpClient: client)
            let credentials = try await provider.credentials()
            #expect(credentials.accessKeyID == "ASIAEXAMPLE")
            #expect(credentials.secretAccessKey == Self.secret)
            #expect(credentials.sessionToken == Self.sessionToken)
            #expect(credentials.expiration == Date(timeIntervalSince1970: 1_893_456_000))
            #expect(server.requests.count == 1)
            #expect(server.requests.first?.method == "GET")
            #expect(server.requests.first?.uri == "/v1/credentials")
            #expect(server.requests.first?.authorization == Self.authToken)
        }
    }

    @Test func tokenFileWinsOverTheTokenVariable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", "from-file-token\n")
        try await withEndpoint { server, client in
            let provider = ContainerCredentialProvider(
                environment: [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://localhost:\(server.port)/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken,
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                ], httpClient: client)
            _ = try await provider.credentials()
            #expect(server.requests.first?.authorization == "from-file-token")
        }
    }

    @Test func errorStatusIsReportedWithoutSecrets() async throws {
        try await withEndpoint(status: 500, answer: #"{"message":"\#(Self.secret)"}"#) { server, client in
            let provider = ContainerCredentialProvider(
                environment: [
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(server.port)/creds",
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN": Self.authToken,
                ], httpClient: client)
            do {
                _ = try await provider.credentials()
                Issue.record("expected an error")
            } catch let error as AWSCredentialError {
                #expect(error.kind == .unavailable)
                #expect(error.description.contains("500"))
                #expect(!error.description.contains(Self.authToken))
                #expect(!error.description.contains(Self.secret))
            }
        }
    }

    @Test func unusableAnswersAreInvalidWithoutEchoingThem() async throws {
        let partial = #"{"AccessKeyId":"ASIAEXAMPLE","Token":"\#(Self.sessionToken)"}"#
        let badDate = #"{"AccessKeyId":"A","SecretAccessKey":"\#(Self.secret)","Expiration":"tomorrow"}"#
        for answer in [partial, badDate, "not json \(Self.secret)"] {
            try await withEndpoint(answer: answer) { server, client in
                let provider = ContainerCredentialProvider(
                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(server.port)/"],
                    httpClient: client)
                do {
                    _ = try await provider.credentials()
                    Issue.record("expected an error")
                } catch let error as AWSCredentialError {
                    #expect(error.kind == .invalidResponse)
                    #expect(!error.description.contains(Self.secret))
                    #expect(!error.description.contains(Self.sessionToken))
                }
            }
        }
    }

    @Test func unreachableEndpointIsUnavailable() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let provider = ContainerCredentialProvider(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(port)/creds"], httpClient: client,
            timeout: .seconds(2))
        await #expect {
            _ = try await provider.credentials()
        } throws: { error in
            (error as? AWSCredentialError)?.kind == .unavailable
        }
        try await client.shutdown()
        withExtendedLifetime(refusing) {}
    }

    @Test func endpointSelection() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func endpoint(_ environment: [String: String]) throws -> String {
            try ContainerCredentialProvider(environment: environment, httpClient: client).endpoint()
        }
        #expect(
            try endpoint(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
                == "http://169.254.170.2/v2/credentials/abc")
        #expect(
            try endpoint([
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1/ignored",
            ]) == "http://169.254.170.2/v2/x")
        for allowed in [
            "https://creds.example.com/x", "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1",
            "http://127.0.0.2:8080/c", "http://[::1]:9/c", "http://localhost/c",
        ] {
            #expect(try endpoint(["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed]) == allowed)
        }
        for refused in ["http://example.com/creds", "http://127.evil.example/c", "ftp://127.0.0.1/c"] {
            #expect(throws: AWSCredentialError.self) {
                try endpoint(["AWS_CONTAINER_CREDENTIALS_FULL_URI": refused])
            }
        }
        #expect {
            _ = try endpoint([:])
        } throws: { error in
            (error as? AWSCredentialError)?.kind == .notConfigured
        }
        try await client.shutdown()
    }

    @Test func chainFallsThroughToTheContainer() async throws {
        try await withEndpoint { server, client in
            let chain = AWSCredentialChain.standard(
                environment: [
                    "HOME": "/nonexistent", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(server.port)/c",
                ], httpClient: client)
            let first = try await chain.credentials()
            let second = try await chain.credentials()
            #expect(first.accessKeyID == "ASIAEXAMPLE" && second == first)
            #expect(server.requests.count == 1, "the second call is served from the cache")
        }
    }
}
