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

    @Test func theLoopSurvivesAThrowingHandlerAndStopsOnCancellation() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("e1", "throw"))
            fake.enqueue(RuntimeHarness.event("e2", "echo"))
            fake.enqueue(RuntimeHarness.event("e3", "silent"))
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            let loop = Task {
                try await runtime.run { invocation, responder in
                    switch String(decoding: invocation.body, as: UTF8.self) {
                    case "throw": throw Boom()
                    case "echo": try await responder.respond(invocation.body)
                    default: return
                    }
                }
            }
            let posts = try await fake.completedPosts(3)
            #expect(
                posts.map(\.path) == [
                    "/2018-06-01/runtime/invocation/e1/error", "/2018-06-01/runtime/invocation/e2/response",
                    "/2018-06-01/runtime/invocation/e3/response",
                ])
            #expect(try JSONParser.parse(posts[0].body)["errorType"]?.stringValue == "Boom")
            #expect(posts[1].body == Array("echo".utf8))
            #expect(posts[2].body.isEmpty)
            // The loop is waiting for a fourth event; cancelling it ends `run` without an error.
            _ = try await fake.waitFor("the fourth long poll") { $0.nextRequests == 4 ? true : nil }
            loop.cancel()
            try await loop.value
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
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            let prelude = HTTPIntegrationPrelude(
                statusCode: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
            let first = Array("data: one\n\n".utf8)
            let loop = Task {
                try await runtime.run { _, responder in
                    let stream = try await responder.streamHTTPIntegration(prelude)
                    try await stream.write(first)
                    let expected = prelude.encoded() + first
                    _ = try await fake.waitFor("the first chunk") { snapshot in
                        snapshot.posts.first.map { $0.body == expected && !$0.complete ? true : nil } ?? nil
                    }
                    try await stream.write(Array("data: [DONE]\n\n".utf8))
                    // Left unfinished: the runtime finishes it.
                }
            }
            let post = try #require(try await fake.completedPosts(1).first)
            loop.cancel()
            try await loop.value
            #expect(post.header("Content-Type") == HTTPIntegrationPrelude.contentType)
            #expect(post.header("Lambda-Runtime-Function-Response-Mode") == "streaming")
            #expect(post.body == prelude.encoded() + first + Array("data: [DONE]\n\n".utf8))
            #expect(post.trailers?.isEmpty ?? true)
        }
    }

    @Test func aHandlerThatThrowsMidStreamEndsItWithTrailers() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("s2", "{}"))
            fake.enqueue(RuntimeHarness.event("s3", "{}"))
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            let loop = Task {
                try await runtime.run { invocation, responder in
                    let stream = try await responder.stream(contentType: "text/event-stream")
                    if invocation.requestID == "s2" { try await stream.write(Array("data: x\n\n".utf8)) }
                    throw LambdaFunctionError(type: "Upstream.Throttled", message: "throttled")
                }
            }
            let posts = try await fake.completedPosts(2)
            loop.cancel()
            try await loop.value
            #expect(posts[0].path == "/2018-06-01/runtime/invocation/s2/response")
            #expect(posts[0].trailer("Lambda-Runtime-Function-Error-Type") == "Upstream.Throttled")
            let body = try #require(posts[0].trailer("Lambda-Runtime-Function-Error-Body").flatMap(Base64.decode))
            #expect(try JSONParser.parse(body)["errorMessage"]?.stringValue == "throttled")
            // Nothing streamed yet: an invocation error instead.
            #expect(posts[1].path == "/2018-06-01/runtime/invocation/s3/error")
        }
    }

    @Test func theTraceIDIsInTheEnvironmentDuringTheInvocation() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("t1", "{}"))
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            let loop = Task {
                try await runtime.run { invocation, responder in
                    let seen = getenv(LambdaRuntime.traceEnvironmentVariable).map { String(cString: $0) } ?? ""
                    try await responder.respond(Array(seen.utf8))
                }
            }
            let post = try #require(try await fake.completedPosts(1).first)
            loop.cancel()
            try await loop.value
            #expect(String(decoding: post.body, as: UTF8.self) == FakeRuntimeAPI.Event(requestID: "", body: []).traceID)
        }
    }

    @Test func respondingTwiceIsRefused() async throws {
        try await RuntimeHarness.run { fake, client in
            fake.enqueue(RuntimeHarness.event("d1", "{}"))
            let runtime = LambdaRuntime(client: client, logger: RuntimeHarness.logger)
            let loop = Task {
                try await runtime.run { _, responder in
                    try await responder.respond([1])
                    await #expect(throws: LambdaRuntimeError.alreadyResponded) { try await responder.respond([2]) }
                    await #expect(throws: LambdaRuntimeError.alreadyResponded) {
                        _ = try await responder.stream(contentType: "text/plain")
                    }
                }
            }
            let posts = try await fake.completedPosts(1)
            _ = try await fake.waitFor("the next long poll") { $0.nextRequests == 2 ? true : nil }
            loop.cancel()
            try await loop.value
            #expect(posts.count == 1 && posts[0].body == [1])
        }
    }
}
