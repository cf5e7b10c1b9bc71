import GatewaySchema
import NIOHTTP1
import Testing

@testable import GatewayLambda

@Suite struct WireFormatTests {
    @Test func invocationErrorBodyIsTheRecordedOne() throws {
        let recorded = try #require(HTTPRequestBytes(FixtureFiles.bytes("runtime-invocation-error.http")))
        #expect(LambdaFunctionError.unauthorized.requestBody == recorded.body)
        #expect(recorded.header("Content-Length") == String(LambdaFunctionError.unauthorized.requestBody.count))
        #expect(recorded.header("Content-Type") == LambdaRuntimeAPI.errorContentType)
        #expect(recorded.header("Lambda-Runtime-Function-Error-Type") == LambdaRuntimeAPI.unhandledErrorType)
        #expect(
            recorded.requestLine
                == "POST \(LambdaRuntimeAPI.errorPath(requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd")) HTTP/1.1")
    }

    @Test func errorBodyEscapesAndListsTheStackTrace() throws {
        let error = LambdaFunctionError(type: "A\"B", message: "line\nbreak", stackTrace: ["f()", "g()"])
        let parsed = try JSONParser.parse(error.requestBody)
        #expect(parsed["errorType"]?.stringValue == "A\"B")
        #expect(parsed["errorMessage"]?.stringValue == "line\nbreak")
        #expect(parsed["stackTrace"] == ["f()", "g()"])
    }

    @Test func midstreamTrailersAreTheRecordedOnes() throws {
        let recorded = try #require(
            HTTPRequestBytes(FixtureFiles.bytes("runtime-streaming-response-midstream-error.http")))
        let error = LambdaFunctionError(type: "Upstream.Throttled", message: "bedrock throttled mid-stream")
        let trailers = LambdaRuntimeAPI.errorTrailers(error)
        #expect(
            trailers.map { HTTPRequestBytes.Field(name: $0.name, value: $0.value) } == recorded.trailers)
        let expectations = try JSONParser.parse(FixtureFiles.bytes("runtime-streaming-expectations.json"))
        #expect(
            error.trailerBody
                == expectations["midstream_error_trailers"]?["Lambda-Runtime-Function-Error-Body"]?.stringValue)
    }

    @Test func streamingHeadIsTheRecordedOne() throws {
        let recorded = try #require(HTTPRequestBytes(FixtureFiles.bytes("runtime-streaming-response-ok.http")))
        let head = LambdaRuntimeAPI.streamingHead(
            endpoint: LambdaRuntimeEndpoint(host: "127.0.0.1", port: 9001),
            requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", contentType: HTTPIntegrationPrelude.contentType)
        #expect("\(head.method.rawValue) \(head.uri) HTTP/1.1" == recorded.requestLine)
        #expect(head.headers.map { HTTPRequestBytes.Field(name: $0.name, value: $0.value) } == recorded.headers)
    }

    @Test func requestIDsArePercentEncodedInPaths() {
        #expect(
            LambdaRuntimeAPI.responsePath(requestID: "a/b c")
                == "/2018-06-01/runtime/invocation/a%2Fb%20c/response")
        #expect(LambdaRuntimeAPI.initErrorPath == "/2018-06-01/runtime/init/error")
        #expect(LambdaRuntimeAPI.nextPath == "/2018-06-01/runtime/invocation/next")
    }

    @Test(arguments: [
        ("127.0.0.1:9001", LambdaRuntimeEndpoint(host: "127.0.0.1", port: 9001)),
        ("localhost:1", LambdaRuntimeEndpoint(host: "localhost", port: 1)),
        ("[::1]:9001", LambdaRuntimeEndpoint(host: "::1", port: 9001)),
        ("127.0.0.1", nil), (":9001", nil), ("host:0", nil), ("host:70000", nil), ("::1:9001", nil),
        ("http://h:1", nil), ("", nil),
    ])
    func endpointParsing(text: String, expected: LambdaRuntimeEndpoint?) {
        #expect(LambdaRuntimeEndpoint(text) == expected)
    }

    @Test func endpointFromEnvironment() throws {
        let endpoint = try LambdaRuntimeClient.endpoint(environment: ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"])
        #expect(endpoint.baseURL == "http://127.0.0.1:9001")
        #expect(LambdaRuntimeEndpoint(host: "::1", port: 9).hostHeader == "[::1]:9")
        #expect(throws: LambdaRuntimeError.invalidEndpoint("")) { try LambdaRuntimeClient.endpoint(environment: [:]) }
    }

    @Test func invocationFromNextHeaders() throws {
        let headers = HTTPHeaders([
            ("lambda-runtime-aws-request-id", "req-1"), ("Lambda-Runtime-Deadline-Ms", "1542409706888"),
            ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f"),
            ("Lambda-Runtime-Trace-Id", "Root=1-abc"), ("Lambda-Runtime-Client-Context", "{\"c\":1}"),
            ("Lambda-Runtime-Cognito-Identity", "{\"i\":2}"),
        ])
        let invocation = try LambdaInvocation(headers: headers, body: [1, 2])
        #expect(
            invocation
                == LambdaInvocation(
                    requestID: "req-1", deadlineMilliseconds: 1_542_409_706_888,
                    invokedFunctionARN: "arn:aws:lambda:us-east-1:1:function:f", traceID: "Root=1-abc",
                    clientContext: "{\"c\":1}", cognitoIdentity: "{\"i\":2}", body: [1, 2]))
        #expect(invocation.remainingMilliseconds(nowMilliseconds: 1_542_409_706_000) == 888)
        #expect(invocation.remainingMilliseconds(nowMilliseconds: 1_542_409_707_000) == 0)
        let bare = try LambdaInvocation(headers: HTTPHeaders([("Lambda-Runtime-Aws-Request-Id", "r")]), body: [])
        #expect(bare.deadlineMilliseconds == .max && bare.traceID == nil && bare.invokedFunctionARN.isEmpty)
        #expect(throws: LambdaRuntimeError.missingRequestID) {
            try LambdaInvocation(headers: HTTPHeaders(), body: [])
        }
    }

    @Test func anyErrorBecomesAFunctionError() {
        struct QuotaExceeded: Error, CustomStringConvertible {
            var description: String { "quota exceeded" }
        }
        #expect(
            LambdaFunctionError(QuotaExceeded())
                == LambdaFunctionError(type: "QuotaExceeded", message: "quota exceeded"))
        #expect(LambdaFunctionError(LambdaFunctionError.unauthorized) == .unauthorized)
    }
}
