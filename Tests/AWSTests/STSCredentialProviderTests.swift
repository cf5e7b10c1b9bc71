import AsyncHTTPClient
import Foundation
import GatewayAWS
import TestSupport
import Testing

/// Web identity and assume-role against a scripted STS on 127.0.0.1: what goes on the wire, refreshes, and errors
/// (the moto-backed suite proves the same providers against moto's STS).
@Suite("AWS web identity and assume-role credentials")
struct STSCredentialProviderTests {
    static let roleARN = "arn:aws:iam::123456789012:role/web-role"
    static let webToken = "eyJhbGciOiJSUzI1NiJ9.EXAMPLE-OIDC-TOKEN.signature"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    static func answer(_ action: String, keyID: String, expiration: Date) -> String {
        """
        <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <\(action)Result>
            <Credentials>
              <AccessKeyId>\(keyID)</AccessKeyId>
              <SecretAccessKey>secret-\(keyID)</SecretAccessKey>
              <SessionToken>token-\(keyID)</SessionToken>
              <Expiration>\(AWSTimestamp.iso8601(expiration))</Expiration>
            </Credentials>
          </\(action)Result>
        </\(action)Response>
        """
    }

    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[AWSURIEncoding.decode(parts[0])] = parts.count > 1 ? AWSURIEncoding.decode(parts[1]) : ""
        }
        return fields
    }

    func withSTS(
        script: [LocalHTTPServer.Answer], _ body: (LocalHTTPServer, HTTPClient) async throws -> Void
    ) async throws {
        try await LocalHTTPServer.serving(try await LocalHTTPServer.start(status: 500, body: "", script: script), body)
    }

    @Test func webIdentityFromTheEnvironmentGoesUnsignedToTheSTSEndpoint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", Self.webToken + "\n")
        let expiration = Date(timeIntervalSince1970: 1_893_456_000)
        let reply = Self.answer("AssumeRoleWithWebIdentity", keyID: "ASIAWEB", expiration: expiration)
        try await withSTS(script: [.init(status: 200, body: reply)]) { server, client in
            let provider = WebIdentityCredentialProvider(
                environment: [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": Self.roleARN,
                    "AWS_ROLE_SESSION_NAME": "pod-1", "AWS_REGION": "eu-west-1",
                    "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(server.port)",
                    "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
                ], httpClient: client)
            #expect(
                try await provider.credentials()
                    == AWSCredentials(
                        accessKeyID: "ASIAWEB", secretAccessKey: "secret-ASIAWEB", sessionToken: "token-ASIAWEB",
                        expiration: expiration))
            let request = try #require(server.requests.first)
            #expect(request.method == "POST" && request.uri == "/")
            #expect(request.authorization == nil, "AssumeRoleWithWebIdentity is unsigned")
            #expect(request.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true)
            #expect(
                Self.form(request.body) == [
                    "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": Self.roleARN,
                    "RoleSessionName": "pod-1", "WebIdentityToken": Self.webToken,
                ])
        }
    }

    @Test func theTokenFileIsReadAgainWhenTheChainRefreshes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", "first-token-EXAMPLE")
        let clock = ManualClock()
        let expiration = clock.now().addingTimeInterval(3600)
        try await withSTS(script: [
            .init(status: 200, body: Self.answer("AssumeRoleWithWebIdentity", keyID: "K1", expiration: expiration)),
            .init(status: 200, body: Self.answer("AssumeRoleWithWebIdentity", keyID: "K2", expiration: expiration)),
        ]) { server, client in
            let chain = AWSCredentialChain.standard(
                environment: [
                    "HOME": "/nonexistent", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": Self.roleARN,
                    "AWS_ENDPOINT_URL": "http://127.0.0.1:\(server.port)",
                ], httpClient: client, clock: clock)
            #expect(try await chain.credentials().accessKeyID == "K1")
            _ = try directory.write("token", "rotated-token-EXAMPLE")
            clock.advance(by: 3000)
            #expect(try await chain.credentials().accessKeyID == "K1", "cached until 5 minutes before Expiration")
            clock.advance(by: 400)
            #expect(try await chain.credentials().accessKeyID == "K2")
            let tokens = server.requests.map { Self.form($0.body)["WebIdentityToken"] }
            #expect(tokens == ["first-token-EXAMPLE", "rotated-token-EXAMPLE"])
            let sessions = server.requests.compactMap { Self.form($0.body)["RoleSessionName"] }
            #expect(sessions.count == 2 && sessions.allSatisfy { $0.hasPrefix("switchboard-") })
        }
    }

    @Test func webIdentityConfigurationErrors() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func error(_ environment: [String: String]) async -> AWSCredentialError? {
            do {
                _ = try await WebIdentityCredentialProvider(environment: environment, httpClient: client).credentials()
                return nil
            } catch {
                return error as? AWSCredentialError
            }
        }
        #expect(await error([:])?.kind == .notConfigured)
        #expect(await error(["AWS_ROLE_ARN": Self.roleARN])?.kind == .notConfigured)
        let noRole = await error(["AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"])
        #expect(noRole?.kind == .incomplete && noRole?.message.contains("AWS_ROLE_ARN") == true)
        let unreadable = await error([
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": Self.roleARN,
        ])
        #expect(unreadable?.kind == .incomplete && unreadable?.message.contains("/nonexistent/token") == true)
        try await client.shutdown()
    }

    @Test func stsRefusalsAreDeniedAndNeverEchoTheToken() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("token", Self.webToken)
        // A validation message that quotes the token back, as AWS validation errors quote parameters.
        let refusal = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
            <Code>InvalidIdentityToken</Code><Message>Token '\(Self.webToken)' is not valid</Message></Error>\
            <RequestId>r-1</RequestId></ErrorResponse>
            """
        try await withSTS(script: [.init(status: 400, body: refusal)]) { server, client in
            let provider = WebIdentityCredentialProvider(
                environment: [
                    "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": Self.roleARN,
                    "AWS_ENDPOINT_URL": "http://127.0.0.1:\(server.port)",
                ], httpClient: client)
            do {
                _ = try await provider.credentials()
                Issue.record("expected an error")
            } catch let error as AWSCredentialError {
                #expect(error.kind == .denied)
                #expect(error.message.contains("InvalidIdentityToken"))
                #expect(error.message.contains(Self.roleARN))
                #expect(error.message.contains("<redacted>"))
                #expect(!error.description.contains(Self.webToken))
            }
            #expect(server.requests.count == 1, "a refusal is not retried")
        }
    }

    @Test func assumeRoleIsSignedWithTheSourceCredentials() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write(
            "config",
            """
            [profile base]
            aws_access_key_id = AKIDSOURCE
            aws_secret_access_key = \(Self.secret)
            [profile ops]
            role_arn = \(Self.roleARN)
            source_profile = base
            external_id = ext-42
            duration_seconds = 1800
            role_session_name = ops-session
            region = ap-southeast-2
            """)
        let expiration = Date(timeIntervalSince1970: 1_893_456_000)
        try await withSTS(script: [
            .init(status: 503, body: "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>"),
            .init(status: 200, body: Self.answer("AssumeRole", keyID: "ASIAROLE", expiration: expiration)),
        ]) { server, client in
            let provider = SharedFilesCredentialProvider(
                environment: ["AWS_CONFIG_FILE": config, "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:\(server.port)"],
                profile: "ops", httpClient: client)
            #expect(try await provider.credentials().accessKeyID == "ASIAROLE")
            #expect(server.requests.count == 2, "a 503 is retried")
            let request = try #require(server.requests.last)
            let authorization = try #require(request.authorization)
            #expect(authorization.contains("Credential=AKIDSOURCE/"))
            #expect(authorization.contains("/ap-southeast-2/sts/aws4_request"), "signed for the profile's region")
            #expect(!authorization.contains(Self.secret))
            #expect(
                Self.form(request.body) == [
                    "Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": Self.roleARN,
                    "RoleSessionName": "ops-session", "ExternalId": "ext-42", "DurationSeconds": "1800",
                ])
        }
    }

    @Test func assumeRoleWithAnUnconfiguredCredentialSourceIsAnError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write(
            "config", "[profile ops]\nrole_arn = \(Self.roleARN)\ncredential_source = Environment\n")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let later = ScriptedProvider { _ in AWSCredentials(accessKeyID: "LATER", secretAccessKey: "s") }
        let chain = AWSCredentialChain(providers: [
            SharedFilesCredentialProvider(environment: ["AWS_CONFIG_FILE": config], profile: "ops", httpClient: client),
            later,
        ])
        await #expect {
            _ = try await chain.credentials()
        } throws: { error in
            guard let error = error as? AWSCredentialError else { return false }
            return error.kind == .incomplete && error.message.contains("AWS_ACCESS_KEY_ID")
        }
        #expect(later.callCount == 0, "the profile asked for that source: the chain stops")
        try await client.shutdown()
    }
}
