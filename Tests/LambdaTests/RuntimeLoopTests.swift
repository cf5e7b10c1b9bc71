import GatewaySchema
import NIOHTTP1
import Synchronization
import Testing

@testable import GatewayLambda

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite(.serialized) struct RuntimeLoopTests {
    struct Boom: Error {}

    /// A throwing handler's invocation gets an error and the loop goes on; cancelling the loop while it waits for
    /// the next event ends `run` without an error (`serve` checks both).
    @Test func theLoopSurvivesAThrowingHandler() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("e1", "throw"))
            fake.enqueue(RuntimeHarness.event("e2", "echo"))
            fake.enqueue(RuntimeHarness.event("e3", "silent"))
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 3) { invocation, responder in
                switch String(decoding: invocation.body, as: UTF8.self) {
                case "throw": throw Boom()
                case "echo": try await responder.respond(invocation.body)
                default: return
                }
            }
            #expect(
                posts.map(\.path) == [
                    "/2018-06-01/runtime/invocation/e1/error", "/2018-06-01/runtime/invocation/e2/response",
                    "/2018-06-01/runtime/invocation/e3/response",
                ])
            #expect(try JSONParser.parse(posts[0].body)["errorType"]?.stringValue == "Boom")
            #expect(posts[1].body == Array("echo".utf8))
            #expect(posts[2].body.isEmpty)
        }
    }

    @Test func aFailedInitialisationIsReported() async throws {
        try await RuntimeHarness.run { fake, client in
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            await #expect(throws: LambdaFunctionError.self) {
                try await runtime.run(initialize: { () async throws -> LambdaClosureHandler in
                    throw LambdaFunctionError(type: "Runtime.ConfigError", message: "no routes")
                })
            }
            let post = try #require(try await fake.completedPosts(1).first)
            #expect(post.path == "/2018-06-01/runtime/init/error")
            #expect(try JSONParser.parse(post.body)["errorMessage"]?.stringValue == "no routes")
            #expect(fake.state.withLock { $0.nextRequests } == 0)
        }
    }

    /// An API Gateway streamed answer through the loop: the prelude and the first chunk reach the Runtime API while
    /// the handler is still running.
    @Test func aStreamedHTTPAnswerArrivesWhileTheHandlerRuns() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("s1", "{}"))
            let prelude = HTTPIntegrationPrelude(
                statusCode: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
            let first = Array("data: one\n\n".utf8)
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 1) { _, responder in
                let stream = try await responder.streamHTTPIntegration(prelude)
                #expect(fake.posts.isEmpty)
                try await stream.write(first)
                let expected = prelude.encoded() + first
                _ = try await fake.waitFor("the first chunk") { snapshot in
                    snapshot.posts.first.map { $0.body == expected && !$0.complete ? true : nil } ?? nil
                }
                try await stream.write(Array("data: [DONE]\n\n".utf8))
                // Left unfinished: the runtime finishes it.
            }
            #expect(posts[0].header("Content-Type") == HTTPIntegrationPrelude.contentType)
            #expect(posts[0].header("Lambda-Runtime-Function-Response-Mode") == "streaming")
            #expect(posts[0].body == prelude.encoded() + first + Array("data: [DONE]\n\n".utf8))
            #expect(posts[0].trailers?.isEmpty ?? true)
        }
    }

    @Test func aHandlerThatThrowsMidStreamEndsItWithTrailers() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("s2", "{}"))
            fake.enqueue(RuntimeHarness.event("s3", "{}"))
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 2) { invocation, responder in
                let stream = try await responder.stream(contentType: "text/event-stream")
                if invocation.requestID == "s2" { try await stream.write(Array("data: x\n\n".utf8)) }
                throw LambdaFunctionError(type: "Upstream.Throttled", message: "throttled")
            }
            #expect(posts[0].path == "/2018-06-01/runtime/invocation/s2/response")
            #expect(posts[0].trailer("Lambda-Runtime-Function-Error-Type") == "Upstream.Throttled")
            let body = try #require(posts[0].trailer("Lambda-Runtime-Function-Error-Body").flatMap(Base64.decode))
            #expect(try JSONParser.parse(body)["errorMessage"]?.stringValue == "throttled")
            // Nothing streamed yet: an invocation error instead.
            #expect(posts[1].path == "/2018-06-01/runtime/invocation/s3/error")
        }
    }

    /// Status and headers wait for the first body byte: a failure before it is an invocation error (a 502), and an
    /// empty body still carries them.
    @Test func thePreludeWaitsForTheBody() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("p1", "fail"))
            fake.enqueue(RuntimeHarness.event("p2", "empty"))
            let prelude = HTTPIntegrationPrelude(statusCode: 204, headers: HTTPHeaders())
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 2) { invocation, responder in
                let stream = try await responder.streamHTTPIntegration(prelude)
                if invocation.body == Array("fail".utf8) { throw Boom() }
                try await stream.finish()
            }
            #expect(posts[0].path == "/2018-06-01/runtime/invocation/p1/error")
            #expect(posts[1].path == "/2018-06-01/runtime/invocation/p2/response")
            #expect(posts[1].body == prelude.encoded())
            #expect(HTTPRequestBytes(posts[1].raw)?.chunks == [prelude.encoded()])
        }
    }

    @Test func theTraceIDIsInTheEnvironmentDuringTheInvocation() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("t1", "{}"))
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 1) { _, responder in
                let seen = getenv(LambdaRuntime.traceEnvironmentVariable).map { String(cString: $0) } ?? ""
                try await responder.respond(Array(seen.utf8))
            }
            #expect(
                String(decoding: posts[0].body, as: UTF8.self) == FakeRuntimeAPI.Event(requestID: "", body: []).traceID)
        }
    }

    @Test func respondingTwiceIsRefused() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("d1", "{}"))
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 1) { _, responder in
                try await responder.respond([1])
                await #expect(throws: LambdaRuntimeError.alreadyResponded) { try await responder.respond([2]) }
                await #expect(throws: LambdaRuntimeError.alreadyResponded) {
                    _ = try await responder.stream(contentType: "text/plain")
                }
            }
            #expect(posts.count == 1 && posts[0].body == [1])
        }
    }

    @Test func aProxyResponseIsAnsweredAsJSON() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("j1", "{}"))
            let response = APIGatewayProxyResponse(
                statusCode: 201, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array("{}".utf8))
            let posts = try await RuntimeHarness.serve(fake, client, expecting: 1) { _, responder in
                try await responder.respond(response)
            }
            #expect(posts[0].header("Content-Type") == "application/json")
            #expect(posts[0].body == response.encoded())
        }
    }
}
