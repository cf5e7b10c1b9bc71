import GatewayCore
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import SwitchboardApp

@Suite struct LoopAffinityTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    /// Runs `body` in a task preferring `executor`, started by `loop` (as a task resumed by the loop's I/O is), and
    /// returns what it returns.
    func startedByTheLoop<T: Sendable>(
        _ executor: LoopAffineExecutor, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            loop.execute {
                Task(executorPreference: executor) {
                    do { continuation.resume(returning: try await body()) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// Whether a task preferring `executor`, made runnable by the loop, runs there while `requests` are in flight.
    func staysOnTheLoop(_ executor: LoopAffineExecutor, requests: Int) async throws -> Bool {
        let inFlight = (0..<requests).map { _ in LoopAffineExecutor.InFlight(executor) }
        defer { withExtendedLifetime(inFlight) {} }
        let loop = self.loop
        return try await startedByTheLoop(executor) { loop.inEventLoop }
    }

    @Test func withFewRequestsInFlightWorkStaysOnTheLoopThatResumedIt() async throws {
        let executor = LoopAffineExecutor(limit: 2)
        #expect(try await staysOnTheLoop(executor, requests: 1))
        #expect(try await staysOnTheLoop(executor, requests: 2))
    }

    @Test func overTheLimitWorkGoesToTheThreadPoolUntilAQuietPeriodPassed() async throws {
        let executor = LoopAffineExecutor(limit: 1, quietPeriod: .seconds(600))
        #expect(try await !staysOnTheLoop(executor, requests: 2))
        // Done, but a burst was just seen: the loop is left alone for the quiet period.
        #expect(executor.inFlight.load(ordering: .relaxed) == 0)
        #expect(try await !staysOnTheLoop(executor, requests: 1))
        let quick = LoopAffineExecutor(limit: 1, quietPeriod: .milliseconds(5))
        #expect(try await !staysOnTheLoop(quick, requests: 2))
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await staysOnTheLoop(quick, requests: 1))
    }

    @Test func aStreamsProducerPrefersTheRequestsExecutor() async throws {
        let executor = LoopAffineExecutor(limit: 1)
        let loop = self.loop
        // The request runs on the loop; the stream's producer, a task of its own, starts there too.
        let batch = try await startedByTheLoop(executor) {
            let started = try await RequestExecutor.$preferred.withValue(executor) {
                try await StartedStream.start { yield, started in
                    yield(["on_loop": .bool(loop.inEventLoop)])
                    started()
                }
            }
            return try await started.chunks.nextBatch()
        }
        #expect(batch.first?.object["on_loop"] == .bool(true))
    }

    @Test func requestsCountAsInFlightUntilTheirBodyIsWritten() async throws {
        let executor = LoopAffineExecutor(limit: 1)
        let router = Router()
        router.add(middleware: LoopAffineExecutor.Counting(executor: executor))
        router.get("buffered") { _, _ in "\(executor.inFlight.load(ordering: .relaxed))" }
        router.get("streamed") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "\(executor.inFlight.load(ordering: .relaxed))"))
                    try await writer.finish(nil)
                })
        }
        router.get("failing") { _, _ -> String in
            #expect(executor.inFlight.load(ordering: .relaxed) == 1)
            throw HTTPError(.badRequest)
        }
        try await Application(router: router).test(.router) { client in
            for path in ["/buffered", "/streamed"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(String(buffer: response.body) == "1")
                }
            }
            try await client.execute(uri: "/failing", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
        for _ in 0..<100 where executor.inFlight.load(ordering: .relaxed) != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(executor.inFlight.load(ordering: .relaxed) == 0)
    }
}
