import GatewayCore
import GatewayProviders
import GatewayRouter
import Hummingbird
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The executor the HTTP server's tasks prefer: while at most `limit` requests are in flight, a job runs on the
/// event loop whose I/O made it runnable (the loop that read the request or the upstream's answer), so a request's
/// work, its upstream call (`HTTP1Pool` picks a connection on the caller's loop) and its response never change
/// threads; above that, and for jobs made runnable off the loops, on Swift's global thread pool as without it.
///
/// At one connection each hand-off between the loop and the pool woke a sleeping thread: four a request, about a
/// tenth of the added latency. Under load the pool is better, since it spreads the work of many requests over every
/// core while the loops do I/O, so the limit (`server.loop_requests`) keeps the loop for low concurrency only: for
/// `quietPeriod` (10 ms) after a request started with more than `limit` in flight, nothing runs on the loops (a momentary
/// dip in the count, with most connections between two requests, would otherwise put whole requests on a loop busy
/// with everyone's I/O; measured at 32 connections, that cost 4–7 % of the requests per second). A job on the loop
/// delays the loop's other I/O while it runs; with few requests in flight few are delayed.
final class LoopAffineExecutor: TaskExecutor {
    let limit: Int
    let inFlight = Atomic<Int>(0)
    /// When a request last started with more than `limit` in flight, in uptime nanoseconds.
    let lastBusy = Atomic<UInt64>(0)
    let quietPeriod: UInt64
    /// The loops jobs may run on: those of the server's group.
    let loops: GroupLoops

    init(
        limit: Int, quietPeriod: TimeAmount = .milliseconds(10),
        group: MultiThreadedEventLoopGroup = .singleton
    ) {
        self.limit = limit
        self.quietPeriod = UInt64(quietPeriod.nanoseconds)
        self.loops = GroupLoops(group)
    }

    /// Whether the last request over the limit started more than `quietPeriod` ago.
    var quiet: Bool {
        let last = lastBusy.load(ordering: .relaxed)  // before the clock, so that `now` is never older
        let now = NIODeadline.now().uptimeNanoseconds
        return now >= last && now - last > quietPeriod
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if inFlight.load(ordering: .relaxed) <= limit, quiet,
            let loop = loops.current
        {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            loop.execute { job.runSynchronously(on: executor) }
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }

    /// One request in flight, from its creation until it is released.
    final class InFlight: Sendable {
        let executor: LoopAffineExecutor

        init(_ executor: LoopAffineExecutor) {
            self.executor = executor
            _ = executor.enter()
        }

        deinit { executor.leave() }
    }

    /// Counts the requests in flight: from the start of the chain until the response is returned, or for a
    /// streamed body until it was written (or dropped unwritten). A body with a length is taken as written when
    /// returned unless `sizedBodiesStream` (the edge's proxied answers stream with the upstream's length).
    struct Counting<Context: RequestContext>: RouterMiddleware {
        let executor: LoopAffineExecutor
        var sizedBodiesStream = false

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            let inFlight = InFlight(executor)
            defer { withExtendedLifetime(inFlight) {} }
            var response = try await next(request, context)
            if response.body.contentLength != nil && !sizedBodiesStream { return response }
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                try await body.write(writer)
                withExtendedLifetime(inFlight) {}
            }
            return response
        }
    }
}

extension LoopAffineExecutor: LoopWorkGate {
    var admitsMore: Bool { inFlight.load(ordering: .relaxed) < limit && quiet }

    func enter() -> Bool {
        let count = inFlight.add(1, ordering: .relaxed).newValue
        if count > limit {
            lastBusy.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
            return false
        }
        return quiet
    }

    func leave() { inFlight.subtract(1, ordering: .relaxed) }
}

/// Runs a service (the HTTP server) with `executor` as the preferred executor of its tasks, which child tasks inherit,
/// and as `RequestExecutor.preferred` for the unstructured tasks requests start.
struct LoopAffineService<Inner: Service>: Service {
    let inner: Inner
    let executor: LoopAffineExecutor?

    init(_ inner: Inner, executor: LoopAffineExecutor?) {
        self.inner = inner
        self.executor = executor
    }

    func run() async throws {
        guard let executor else { return try await inner.run() }
        try await RequestExecutor.$preferred.withValue(executor) {
            try await withTaskExecutorPreference(executor) { try await inner.run() }
        }
    }
}
