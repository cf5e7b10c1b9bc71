import GatewaySchema
import NIOCore
import Testing

@testable import GatewayLambda

@Suite struct RuntimeClientTests {
    static let requestID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"

    @Test func nextWaitsForAnEventAndReadsItsHeaders() async throws {
        try await RuntimeHarness.run { fake, client in
            async let invocation = client.next()
            // The long poll is held until an event exists.
            _ = try await fake.waitFor("the long poll") { $0.nextRequests == 1 ? true : nil }
            var event = RuntimeHarness.event("req-1", #"{"a":1}"#)
            event.clientContext = #"{"client":{}}"#
            event.cognitoIdentity = #"{"identity_id":"x"}"#
            fake.enqueue(event)
            let received = try await invocation
            #expect(received.requestID == "req-1")
            #expect(received.body == Array(#"{"a":1}"#.utf8))
            #expect(received.deadlineMilliseconds == event.deadlineMilliseconds)
            #expect(received.invokedFunctionARN == event.functionARN)
            #expect(received.traceID == event.traceID)
            #expect(received.clientContext == event.clientContext)
            #expect(received.cognitoIdentity == event.cognitoIdentity)
        }
    }

    @Test func bufferedResponse() async throws {
        try await RuntimeHarness.run { fake, client in
            try await client.respond(
                requestID: "req-1", body: Array("{\"ok\":true}".utf8), contentType: "application/json")
            let post = try #require(try await fake.completedPosts(1).first)
            #expect(post.path == "/2018-06-01/runtime/invocation/req-1/response")
            #expect(post.body == Array("{\"ok\":true}".utf8))
            #expect(post.header("Content-Type") == "application/json")
            #expect(post.header("Lambda-Runtime-Function-Response-Mode") == nil)
        }
    }

    @Test func invocationErrorAsRecorded() async throws {
        try await RuntimeHarness.run { fake, client in
            try await client.invocationError(requestID: Self.requestID, error: .unauthorized)
            let post = try #require(try await fake.completedPosts(1).first)
            let recorded = try #require(HTTPRequestBytes(FixtureFiles.bytes("runtime-invocation-error.http")))
            #expect("POST \(post.path) HTTP/1.1" == recorded.requestLine)
            #expect(post.body == recorded.body)
            for name in ["Content-Type", "Lambda-Runtime-Function-Error-Type", "Content-Length"] {
                #expect(post.header(name) == recorded.header(name), "\(name)")
            }
        }
    }

    @Test func initError() async throws {
        try await RuntimeHarness.run { fake, client in
            let error = LambdaFunctionError(type: "Runtime.ConfigError", message: "no routes")
            try await client.initError(error)
            let post = try #require(try await fake.completedPosts(1).first)
            #expect(post.path == "/2018-06-01/runtime/init/error")
            #expect(post.header("Lambda-Runtime-Function-Error-Type") == "Unhandled")
            #expect(post.header("Content-Type") == "application/vnd.aws.lambda.error+json")
            let body = try JSONParser.parse(post.body)
            #expect(body["errorType"]?.stringValue == "Runtime.ConfigError")
            #expect(body["errorMessage"]?.stringValue == "no routes")
            #expect(body["stackTrace"] == [])
        }
    }

    /// The recorded streamed exchange, chunk by chunk; the fake sees each chunk before the next is written.
    @Test func streamedResponseAsRecorded() async throws {
        let recorded = try #require(HTTPRequestBytes(FixtureFiles.bytes("runtime-streaming-response-ok.http")))
        try await RuntimeHarness.run { fake, client in
            let stream = client.streamResponse(
                requestID: Self.requestID, contentType: HTTPIntegrationPrelude.contentType)
            var sent: [UInt8] = []
            for chunk in recorded.chunks {
                try await stream.write(chunk)
                sent += chunk
                let expected = sent
                _ = try await fake.waitFor("chunk \(sent.count)") { snapshot in
                    snapshot.posts.first.map { $0.body == expected ? true : nil } ?? nil
                }
                #expect(fake.posts.first?.complete == false)
            }
            try await stream.finish()
            let post = try #require(try await fake.completedPosts(1).first)
            let raw = try #require(HTTPRequestBytes(post.raw))
            #expect(raw.requestLine == recorded.requestLine)
            #expect(raw.headers == Self.withHost(recorded.headers, fake))
            #expect(raw.chunks == recorded.chunks)
            #expect(raw.trailers == [])
        }
    }

    /// The recorded exchange of a stream that fails after its first bytes: the error travels in trailers.
    @Test func midstreamErrorEndsWithTrailersAsRecorded() async throws {
        let recorded = try #require(
            HTTPRequestBytes(FixtureFiles.bytes("runtime-streaming-response-midstream-error.http")))
        try await RuntimeHarness.run { fake, client in
            let stream = client.streamResponse(
                requestID: Self.requestID, contentType: HTTPIntegrationPrelude.contentType)
            for chunk in recorded.chunks { try await stream.write(chunk) }
            #expect(await stream.hasSentBytes)
            try await stream.fail(
                LambdaFunctionError(type: "Upstream.Throttled", message: "bedrock throttled mid-stream"))
            let post = try #require(try await fake.completedPosts(1).first)
            let raw = try #require(HTTPRequestBytes(post.raw))
            #expect(raw.requestLine == recorded.requestLine)
            #expect(raw.headers == Self.withHost(recorded.headers, fake))
            #expect(raw.chunks == recorded.chunks)
            #expect(raw.trailers == recorded.trailers)
            #expect(post.trailer("Lambda-Runtime-Function-Error-Type") == "Upstream.Throttled")
            await #expect(throws: LambdaRuntimeError.alreadyResponded) { try await stream.write([1]) }
        }
    }

    @Test func failureBeforeAnyByteIsAnInvocationError() async throws {
        try await RuntimeHarness.run { fake, client in
            let stream = client.streamResponse(requestID: "req-2", contentType: "text/plain")
            try await stream.write([])
            try await stream.fail(LambdaFunctionError(type: "Upstream.Timeout", message: "no answer"))
            let post = try #require(try await fake.completedPosts(1).first)
            #expect(post.path == "/2018-06-01/runtime/invocation/req-2/error")
            #expect(try JSONParser.parse(post.body)["errorType"]?.stringValue == "Upstream.Timeout")
        }
    }

    @Test func finishingAnEmptyStreamSendsAnEmptyBody() async throws {
        try await RuntimeHarness.run { fake, client in
            let stream = client.streamResponse(requestID: "req-3", contentType: "text/plain")
            try await stream.finish()
            let post = try #require(try await fake.completedPosts(1).first)
            #expect(post.path == "/2018-06-01/runtime/invocation/req-3/response")
            #expect(post.header("Lambda-Runtime-Function-Response-Mode") == "streaming")
            #expect(post.body.isEmpty)
            #expect(post.trailers == nil || post.trailers?.isEmpty == true)
        }
    }

    static func withHost(_ headers: [HTTPRequestBytes.Field], _ fake: FakeRuntimeAPI) -> [HTTPRequestBytes.Field] {
        headers.map { $0.name == "Host" ? HTTPRequestBytes.Field(name: "Host", value: fake.endpoint.hostHeader) : $0 }
    }
}
