import AsyncHTTPClient
import Foundation
import GatewayAWS
import GatewaySchema
import TestSupport
import Testing

@Suite("AWS JSON client: retries and errors")
struct AWSJSONClientTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let credentials = StaticCredentialProvider(
        AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: "session-token-EXAMPLE"))

    /// Runs `body` with a local server playing `script` and a client for it (4 attempts, no real waiting).
    func withServer(
        _ script: [LocalHTTPServer.Answer], maxAttempts: Int = 4,
        _ body: (LocalHTTPServer, AWSJSONClient) async throws -> Void
    ) async throws {
        let server = try await LocalHTTPServer.start(status: 200, body: #"{"done":true}"#, script: script)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = AWSJSONClient(
            service: "s3vectors", region: AWSRegion("eu-west-1"),
            endpoint: AWSEndpoint(baseURL: "http://127.0.0.1:\(server.port)/prefix/"), credentials: Self.credentials,
            httpClient: http, retryPolicy: AWSRetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.001, maxDelay: 0.01))
        do {
            try await body(server, client)
        } catch {
            try? await http.shutdown()
            await server.stop()
            throw error
        }
        try await http.shutdown()
        await server.stop()
    }

    static func error(
        _ status: Int, type: String?, body: String = #"{"message":"slow down"}"#
    ) -> LocalHTTPServer.Answer {
        let headers: [(name: String, value: String)] = type.map { [("x-amzn-ErrorType", $0)] } ?? []
        return LocalHTTPServer.Answer(status: status, body: body, headers: headers)
    }

    // MARK: Retry policy (pure)

    @Test func backoffIsFullJitterUnderAnExponentialCap() {
        let policy = AWSRetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxDelay: 1)
        #expect(policy.delay(beforeRetry: 0, random: 0.999_999) <= 0.1)
        #expect(abs(policy.delay(beforeRetry: 0, random: 0.5) - 0.05) < 1e-9)
        #expect(abs(policy.delay(beforeRetry: 2, random: 0.5) - 0.2) < 1e-9)
        #expect(abs(policy.delay(beforeRetry: 10, random: 0.5) - 0.5) < 1e-9, "capped at maxDelay")
        #expect(policy.delay(beforeRetry: 3, random: 0) == 0, "full jitter may not wait at all")
        #expect(policy.delay(beforeRetry: 500, random: 1) <= 1, "huge retry counts do not overflow")
    }

    @Test func throttlingAndServerErrorsAreRetryableOthersAreNot() {
        let policy = AWSRetryPolicy()
        let retryable = [
            AWSServiceError(status: 429, code: "TooManyRequestsException", message: ""),
            AWSServiceError(status: 400, code: "ThrottlingException", message: ""),
            AWSServiceError(status: 400, code: "ProvisionedThroughputExceededException", message: ""),
            AWSServiceError(status: 503, code: "ServiceUnavailableException", message: ""),
            AWSServiceError(status: 500, code: "InternalServerException", message: ""),
            AWSServiceError(status: 408, code: "RequestTimeoutException", message: ""),
        ]
        let final = [
            AWSServiceError(status: 400, code: "ValidationException", message: ""),
            AWSServiceError(status: 404, code: "NotFoundException", message: ""),
            AWSServiceError(status: 409, code: "ConflictException", message: ""),
            AWSServiceError(status: 403, code: "AccessDeniedException", message: ""),
        ]
        #expect(retryable.allSatisfy(policy.isRetryable))
        #expect(!final.contains(where: policy.isRetryable))
    }

    // MARK: Error decoding (pure)

    @Test func errorCodesComeFromTheHeaderThenTheBody() {
        let header = AWSServiceError.decode(
            status: 404, errorTypeHeader: "NotFoundException:http://internal.amazon.com/coral/com.amazon.s3vectors/",
            body: Array(#"{"message":"The specified index could not be found"}"#.utf8))
        #expect(header == AWSServiceError(status: 404, code: "NotFoundException", message: header.message))
        #expect(header.message == "The specified index could not be found")
        let type = AWSServiceError.decode(
            status: 400, errorTypeHeader: nil,
            body: Array(
                #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","Message":"m"}"#.utf8))
        #expect(type.code == "ConditionalCheckFailedException" && type.message == "m")
        let code = AWSServiceError.decode(
            status: 400, errorTypeHeader: nil, body: Array(#"{"code":"AWS.SimpleQueueService.NonExistentQueue"}"#.utf8))
        #expect(code.code == "AWS.SimpleQueueService.NonExistentQueue")
        let bare = AWSServiceError.decode(
            status: 502, errorTypeHeader: nil, body: Array("<html>bad gateway</html>".utf8))
        #expect(bare.code == "HTTP502" && bare.message == "the service answered HTTP 502")
        let long = AWSServiceError.decode(
            status: 400, errorTypeHeader: "ValidationException",
            body: Array("{\"message\":\"\(String(repeating: "x", count: 5000))\"}".utf8))
        #expect(long.message.count <= AWSServiceError.maxMessageLength + 1)
    }

    // MARK: Calls against a local server

    @Test func throttlingAndServerErrorsAreRetriedUntilSuccess() async throws {
        let script = [
            Self.error(429, type: "TooManyRequestsException"),
            Self.error(400, type: nil, body: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#),
            Self.error(503, type: "ServiceUnavailableException"),
        ]
        try await withServer(script) { server, client in
            let answer = try await client.post("/PutVectors", body: ["indexName": "i"])
            #expect(answer["done"]?.boolValue == true)
            #expect(server.requests.count == 4)
            for request in server.requests {
                #expect(request.method == "POST" && request.uri == "/prefix/PutVectors")
                #expect(request.authorization?.contains("/eu-west-1/s3vectors/aws4_request") == true)
                #expect(request.header("x-amz-security-token") == "session-token-EXAMPLE")
                #expect(request.header("content-type") == "application/json")
                #expect(request.body == #"{"indexName":"i"}"#)
            }
        }
    }

    @Test func attemptsAreBoundedAndTheLastErrorIsThrown() async throws {
        let script = Array(repeating: Self.error(500, type: "InternalServerException"), count: 3)
        try await withServer(script, maxAttempts: 3) { server, client in
            await #expect(throws: AWSServiceError(status: 500, code: "InternalServerException", message: "slow down")) {
                _ = try await client.post("/GetIndex", body: [:])
            }
            #expect(server.requests.count == 3)
        }
    }

    @Test func clientErrorsFailAtOnceWithTheCodeAndNoSecrets() async throws {
        let script = [
            Self.error(
                400, type: "ValidationException",
                body: #"{"message":"Invalid record for key 'a': vector must have length 3, but has length 2"}"#)
        ]
        try await withServer(script) { server, client in
            do {
                _ = try await client.post("/PutVectors", body: [:])
                Issue.record("expected an error")
            } catch let error as AWSServiceError {
                #expect(error.status == 400 && error.code == "ValidationException")
                #expect(error.message.contains("must have length 3"))
                #expect(!"\(error)".contains(Self.secret) && !"\(error)".contains("session-token"))
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test func awsJSONTargetsGoToTheRootWithTheTargetHeader() async throws {
        try await withServer([]) { server, client in
            _ = try await client.target("DynamoDB_20120810.GetItem", body: ["TableName": "t"])
            let request = try #require(server.requests.first)
            #expect(request.uri == "/prefix/")
            #expect(request.header("x-amz-target") == "DynamoDB_20120810.GetItem")
            #expect(request.header("content-type") == "application/x-amz-json-1.0")
        }
    }

    @Test func anUnreachableServiceIsATransportErrorAfterTheRetries() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let refusing = try RefusingPort()
        let port = refusing.port
        let client = AWSJSONClient(
            service: "s3vectors", region: AWSRegion("us-east-1"),
            endpoint: AWSEndpoint(baseURL: "http://127.0.0.1:\(port)"),
            credentials: Self.credentials, httpClient: http,
            retryPolicy: AWSRetryPolicy(maxAttempts: 2, baseDelay: 0.001, maxDelay: 0.001), timeoutSeconds: 0.5)
        await #expect(throws: AWSClientError.self) { _ = try await client.post("/GetIndex", body: [:]) }
        try await http.shutdown()
        withExtendedLifetime(refusing) {}
    }

    @Test func endpointsParseBaseURLsAndRegions() {
        let local = AWSEndpoint(baseURL: "http://127.0.0.1:4566/")
        #expect(
            local.origin == "http://127.0.0.1:4566" && local.authority == "127.0.0.1:4566" && local.pathPrefix == "")
        #expect(local.url(path: "/GetIndex") == "http://127.0.0.1:4566/GetIndex")
        let regional = AWSEndpoint.regional(service: "s3vectors", region: AWSRegion("us-west-2"), suffix: "api.aws")
        #expect(regional.description == "https://s3vectors.us-west-2.api.aws")
    }
}
