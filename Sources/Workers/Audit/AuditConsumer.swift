import GatewayCore
import Logging
import Metrics
import ServiceLifecycle

/// Moves audit events from the queue into the request log. The log insert is idempotent by request id and the
/// messages are acknowledged only after it, so a crash at any point neither loses nor duplicates a row. Each
/// event is priced here, off the request path, at the prices in force on the day of the request.
public final class AuditConsumer: Service {
    let queue: any MessageQueue
    let log: any RequestLog
    let pricing: PriceCatalogue
    let logger: Logger
    let batchSize: Int
    /// After a batch smaller than `batchSize`, wait this long before the next one, so that each round trip to
    /// the queue and the log carries many events (the request log lags by at most this much).
    let linger: Duration
    let written = Counter(label: "switchboard_audit_events_written_total")
    let depth = Gauge(label: "switchboard_audit_queue_depth")

    public init(
        queue: any MessageQueue, log: any RequestLog, pricing: PriceCatalogue = .standard(), logger: Logger,
        batchSize: Int = 500, linger: Duration = .milliseconds(20)
    ) {
        self.queue = queue
        self.log = log
        self.pricing = pricing
        self.logger = logger
        self.batchSize = batchSize
        self.linger = linger
    }

    public func run() async throws {
        // Keep consuming until graceful shutdown; then drain what is already queued.
        var lastDepthCheck = ContinuousClock.now - .seconds(60)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let handled = await processBatch(wait: .milliseconds(500))
            if handled > 0 && handled < batchSize && linger > .zero && !Task.isShuttingDownGracefully {
                try? await Task.sleep(for: linger)
            }
            if ContinuousClock.now - lastDepthCheck > .seconds(2) {
                lastDepthCheck = .now
                if let count = try? await queue.depth(topic: .audit) { depth.record(count) }
            }
        }
        while !Task.isCancelled, await processBatch(wait: .zero) > 0 {}
    }

    /// One receive → insert → acknowledge cycle; returns how many messages it handled.
    @discardableResult
    public func processBatch(wait: Duration) async -> Int {
        do {
            let deliveries = try await queue.receive(topic: .audit, max: batchSize, wait: wait)
            if deliveries.isEmpty { return 0 }
            var events: [AuditEvent] = []
            var receipts: [String] = []
            for delivery in deliveries {
                do {
                    var event = try AuditCodec.decode(delivery.payload)
                    event.price(with: pricing)
                    events.append(event)
                } catch {
                    // Never produced by our encoder; keep the evidence in the log, then drop it from the queue.
                    logger.error(
                        "undecodable audit message dropped",
                        metadata: ["receipt": "\(delivery.receipt)", "bytes": "\(delivery.payload.count)"])
                }
                receipts.append(delivery.receipt)
            }
            try await log.insert(events)
            try await queue.acknowledge(receipts, topic: .audit)
            written.increment(by: events.count)
            return deliveries.count
        } catch {
            logger.error("audit consumer batch failed; will retry", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(500))
            return 0
        }
    }
}
