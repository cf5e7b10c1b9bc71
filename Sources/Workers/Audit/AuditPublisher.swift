import GatewayCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Takes finished audit events off the response path and writes them, in batches, to their durable destination.
///
/// `emit` only appends to a buffer; the service loop writes what accumulated (one durable write per batch)
/// and retries on failure. On graceful shutdown it writes everything left before returning, so it must be
/// shut down after the HTTP server (it comes earlier in the service group).
///
/// The destination is the queue when another service owns the request log (self-hosted mode's audit service, AWS
/// mode's audit function). In embedded mode this process owns the log, in the same SQLite file the queue would be
/// in: the events are priced and inserted into the log directly, whose insert is durable and idempotent by request
/// id. Going through the queue there cost a second write of every event, a decode and a re-encode — about a sixth
/// of the gateway's CPU per request — for no gain in durability: an event is accepted once committed either way.
public final class AuditPublisher: AuditSink, Service {
    /// Where batches go.
    public enum Destination: Sendable {
        /// The durable queue, for an audit consumer elsewhere (`AuditConsumer`).
        case queue(any MessageQueue)
        /// The request log itself, each event priced with the catalogue first (as `AuditConsumer` would).
        case log(any RequestLog, PriceCatalogue)
    }

    let destination: Destination
    let logger: Logger
    let buffer: Mutex<[AuditEvent]> = Mutex([])
    let doorbell = Doorbell()
    let maxBatch: Int
    /// How long to let events accumulate after the first one arrives, so that one durable write carries many
    /// events under load (like a Kafka producer's linger.ms).
    let linger: Duration
    let published = Counter(label: "switchboard_audit_events_published_total")
    let written = Counter(label: "switchboard_audit_events_written_total")
    let depthGauge = Gauge(label: "switchboard_audit_buffer_depth")

    public init(
        _ destination: Destination, logger: Logger, maxBatch: Int = 1000, linger: Duration = .milliseconds(10)
    ) {
        self.destination = destination
        self.logger = logger
        self.maxBatch = maxBatch
        self.linger = linger
    }

    public convenience init(
        queue: any MessageQueue, logger: Logger, maxBatch: Int = 1000, linger: Duration = .milliseconds(10)
    ) {
        self.init(.queue(queue), logger: logger, maxBatch: maxBatch, linger: linger)
    }

    public func emit(_ event: AuditEvent) {
        buffer.withLock { $0.append(event) }
        doorbell.ring()
    }

    /// Events accepted but not yet handed to the queue.
    public var pending: Int { buffer.withLock { $0.count } }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled, await doorbell.wait(timeout: .seconds(1)) {
                if linger > .zero && pending < maxBatch { try? await Task.sleep(for: linger) }
                await publishPending(stopping: false)
            }
        } onGracefulShutdown: {
            self.doorbell.close()
        }
        await publishPending(stopping: true)
    }

    /// Publishes everything emitted so far and returns once the queue accepted it (AWS mode calls it at the end of
    /// each invocation, before the function may be frozen, instead of running the service loop).
    public func flush() async { await publishPending(stopping: true) }

    /// `flush()`, given up after `limit` (a Lambda invocation must end before its deadline, or the environment and
    /// everything in it is discarded). Returns whether everything was accepted; what was not stays buffered for
    /// the next flush.
    @discardableResult
    public func flush(within limit: Duration) async -> Bool {
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.publishPending(stopping: true)
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        return finished && pending == 0
    }

    func write(_ batch: [AuditEvent]) async throws {
        switch destination {
        case .queue(let queue):
            try await queue.publish(try batch.map(AuditCodec.encode), topic: .audit)
            published.increment(by: batch.count)
        case .log(let log, let pricing):
            try await log.append(
                batch.map { event in
                    var event = event
                    event.price(with: pricing)
                    return event
                })
            written.increment(by: batch.count)
        }
    }

    /// Write everything buffered, batch by batch. A failed batch goes back to the front and is retried with
    /// backoff (forever while running; for up to a minute when stopping, then the loss is logged loudly).
    func publishPending(stopping: Bool) async {
        var failures = 0
        while true {
            let batch = buffer.withLock { buffer -> [AuditEvent] in
                let count = min(buffer.count, maxBatch)
                defer { buffer.removeFirst(count) }
                return Array(buffer.prefix(count))
            }
            depthGauge.record(pending)
            if batch.isEmpty { return }
            do {
                try await write(batch)
                failures = 0
            } catch {
                failures += 1
                buffer.withLock { $0.insert(contentsOf: batch, at: 0) }
                logger.error(
                    "audit publish failed; will retry",
                    metadata: ["error": "\(error)", "events": "\(batch.count)", "attempt": "\(failures)"])
                if Task.isCancelled {
                    logger.error(
                        "audit publish interrupted; events kept for the next flush", metadata: ["events": "\(pending)"])
                    return
                }
                if stopping && failures >= 60 {
                    logger.critical("audit events could not be published at shutdown", metadata: ["lost": "\(pending)"])
                    return
                }
                try? await Task.sleep(for: .milliseconds(min(1000, 50 * (1 << min(failures, 5)))))
            }
        }
    }
}
