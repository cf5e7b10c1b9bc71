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
            let events = decode(deliveries.map { (id: $0.receipt, payload: $0.payload) }).events.map(\.event)
            try await log.append(events)
            try await queue.acknowledge(deliveries.map(\.receipt), topic: .audit)
            written.increment(by: events.count)
            return deliveries.count
        } catch {
            logger.error("audit consumer batch failed; will retry", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .milliseconds(500))
            return 0
        }
    }

    /// The events of a batch of messages, priced, each with its message's id; `undecodable` lists the ids of
    /// messages that are not audit events (never produced by our encoder; logged with their size, never their
    /// content).
    func decode(
        _ messages: [(id: String, payload: [UInt8])]
    ) -> (events: [(id: String, event: AuditEvent)], undecodable: [String]) {
        var events: [(id: String, event: AuditEvent)] = []
        var undecodable: [String] = []
        events.reserveCapacity(messages.count)
        for message in messages {
            do {
                var event = try AuditCodec.decode(message.payload)
                event.price(with: pricing)
                events.append((message.id, event))
            } catch {
                logger.error(
                    "undecodable audit message",
                    metadata: ["message": "\(message.id)", "bytes": "\(message.payload.count)"])
                undecodable.append(message.id)
            }
        }
        return (events, undecodable)
    }

    /// Writes a batch delivered from outside this consumer's queue (an SQS event in AWS mode) and returns the ids
    /// of the messages that were not written, for the event source to deliver again (`batchItemFailures`): after
    /// a failed batch insert each event is tried alone, so one bad row does not send back the whole batch. An
    /// undecodable message is reported failed too, so that it ends in the dead-letter queue rather than lost.
    public func write(_ messages: [(id: String, payload: [UInt8])]) async -> [String] {
        let (events, undecodable) = decode(messages)
        do {
            try await log.append(events.map(\.event))
            written.increment(by: events.count)
            return undecodable
        } catch {
            logger.error("audit batch insert failed; trying each event", metadata: ["error": "\(error)"])
        }
        var failed = Set(undecodable)
        for (id, event) in events {
            do {
                try await log.append([event])
                written.increment()
            } catch {
                failed.insert(id)
            }
        }
        return messages.map(\.id).filter(failed.contains)
    }
}
