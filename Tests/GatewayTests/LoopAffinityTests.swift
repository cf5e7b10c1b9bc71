import GatewayBackends
import GatewayCore
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
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

    @Test func sizedBodiesCountUntilWrittenWhereTheyStream() async throws {
        let executor = LoopAffineExecutor(limit: 1)
        let router = Router()
        router.add(middleware: LoopAffineExecutor.Counting(executor: executor, sizedBodiesStream: true))
        router.get("sized") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody(contentLength: 1) { writer in
                    try await writer.write(ByteBuffer(string: "\(executor.inFlight.load(ordering: .relaxed))"))
                    try await writer.finish(nil)
                })
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/sized", method: .get) { response in
                #expect(String(buffer: response.body) == "1")
                #expect(response.headers[.contentLength] == "1")
            }
        }
    }

    /// A probe for `LoopAffineService`: what its task sees.
    struct Probe: Service {
        let seen: @Sendable (UnownedTaskExecutor?, (any TaskExecutor)?) -> Void
        func run() async throws {
            seen(withUnsafeCurrentTask { $0?.unownedTaskExecutor }, RequestExecutor.preferred)
        }
    }

    @Test func theServiceRunsUnderTheExecutorAndPassesItToRequests() async throws {
        let executor = LoopAffineExecutor(limit: 1)
        let seen = Mutex<(UnownedTaskExecutor?, (any TaskExecutor)?)>((nil, nil))
        try await LoopAffineService(Probe { task, local in seen.withLock { $0 = (task, local) } }, executor: executor)
            .run()
        let (task, local) = seen.withLock { $0 }
        #expect(task == executor.asUnownedTaskExecutor())
        #expect(local === executor)
        try await LoopAffineService(Probe { task, local in seen.withLock { $0 = (task, local) } }, executor: nil).run()
        #expect(seen.withLock { $0.0 == nil && $0.1 == nil })
    }

    @Test func theGatewayCountsRequestsAndServesUnderItsExecutor() async throws {
        let ports = GatewayPorts(
            keys: MemoryAPIKeyStore(), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(), queue: MemoryQueue(),
            requestLog: MemoryRequestLog(), responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
        for (yaml, enabled) in [("", true), ("server: { loop_requests: 0 }", false)] {
            let config = try ConfigLoader.load(yaml: yaml + "\n" + mockYAML, fileName: "t.yaml", environment: [:])
            let process = GatewayProcess(config: config, ports: ports, logger: Logger(label: "test"))
            #expect((process.loopExecutor != nil) == enabled)
            let served = process.services().compactMap {
                Mirror(reflecting: $0).descendant("executor") as? LoopAffineExecutor
            }
            #expect(served.count == (enabled ? 1 : 0))
            #expect(served.allSatisfy { $0 === process.loopExecutor })
            guard let executor = process.loopExecutor else {
                await process.shutdownClients()
                continue
            }
            let router = process.buildRouter()
            router.get("probe") { _, _ in "\(executor.inFlight.load(ordering: .relaxed))" }
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/probe", method: .get) { response in
                    #expect(String(buffer: response.body) == "1")
                }
            }
            await process.shutdownClients()
        }
    }
}
