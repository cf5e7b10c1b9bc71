import GatewayCore
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The self-hosted mode's queue on Kafka (librdkafka): one idempotent producer, one consumer per topic (created on
/// the first `receive` of that topic) in the group `<group_prefix>.<topic key>`, offsets committed only up to the
/// first message not acknowledged.
///
/// It is a `Service`: `run()` drives librdkafka and must run (in the application's `ServiceGroup`, or a task in
/// tests) for as long as the queue is used. A graceful shutdown (or cancelling `run()`) waits for the producer's
/// outstanding deliveries (up to 30 s), commits what was acknowledged, leaves the consumer groups and frees the
/// clients.
///
/// Delivery is at least once: a message not acknowledged, or acknowledged after its partition moved to another
/// consumer in a rebalance, is delivered again. Order holds only within a partition. Kafka does not count
/// deliveries, so `QueueDelivery.redeliveries` is always 0. `depth` is the consumer group's lag.
///
/// Threads: every librdkafka call that can block (polling the event queues, synchronous commits, closing,
/// metadata, watermark and committed-offset queries) runs on this queue's own `NIOThreadPool`, never on Swift's
/// cooperative pool (only as many threads as cores: a blocked one stalls every task). Each client is served by a
/// loop that hops to the pool for a poll of at most 100 ms and back, so shutdown is noticed within 100 ms and no
/// thread is parked forever; events are handled on the pool thread that polled them (no C callback ever calls
/// into Swift). Non-blocking calls (`rd_kafka_produce`, recording acknowledgements) happen on the caller's task.
public final class KafkaQueue: MessageQueue, Service {
    public let settings: KafkaSettings
    let logger: Logger
    let threads: NIOThreadPool
    let producer: KafkaProducer
    let registry = Mutex(Registry())
    /// Consumers to serve; `run()` picks them up (those created before it runs wait in the stream's buffer).
    let newConsumers: AsyncStream<KafkaConsumer>
    let newConsumer: AsyncStream<KafkaConsumer>.Continuation
    /// How long a graceful shutdown waits for outstanding deliveries.
    let flushTimeout: Duration = .seconds(30)
    /// The longest a serving loop blocks in one poll.
    static let pollMilliseconds: Int32 = 100

    struct Registry {
        var consumers: [QueueTopic: KafkaConsumer] = [:]
        var probes: [QueueTopic: KafkaLagProbe] = [:]
        var closing = false
    }

    public init(settings: KafkaSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        producer = try KafkaProducer(settings: settings, logger: logger)
        // 1 producer loop + up to 3 consumer loops + 2 for creating clients, lag queries and closing.
        threads = NIOThreadPool(numberOfThreads: 6)
        threads.start()
        (newConsumers, newConsumer) = AsyncStream.makeStream(of: KafkaConsumer.self)
    }

    public func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws {
        try await producer.publish(payloads, topic: topic)
    }

    /// Returns [] once the queue is shutting down.
    public func receive(topic: QueueTopic, max: Int, wait: Duration) async throws -> [QueueDelivery] {
        guard max > 0, let consumer = try await consumer(for: topic) else { return [] }
        return await consumer.receive(max: max, wait: wait)
    }

    /// Records the acknowledgements (the consumer commits them within about 100 ms); receipts of partitions the
    /// consumer no longer owns are ignored, and those messages come again.
    public func acknowledge(_ receipts: [String], topic: QueueTopic) async throws {
        registry.withLock { $0.consumers[topic] }?.acknowledge(receipts)
    }

    /// The consumer group's lag on the topic: messages published and not yet committed as acknowledged.
    public func depth(topic: QueueTopic) async throws -> Int {
        let existing = registry.withLock { $0.probes[topic] }
        let probe: KafkaLagProbe
        if let existing {
            probe = existing
        } else {
            let (settings, logger) = (settings, logger)
            let created = try await threads.runIfActive {
                try KafkaLagProbe(topic: topic, settings: settings, logger: logger)
            }
            let (kept, extra) = registry.withLock { registry -> (KafkaLagProbe, KafkaLagProbe?) in
                if let raced = registry.probes[topic] { return (raced, created) }
                registry.probes[topic] = created
                return (created, nil)
            }
            if let extra { await Self.shielded(threads) { extra.close() } }
            probe = kept
        }
        return try await threads.runIfActive { try probe.lag() }
    }

    public func run() async throws {
        logger.info("kafka queue running", metadata: ["kafka": "\(settings)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.serveProducer() }
                    for await consumer in newConsumers {
                        group.addTask { await self.serveConsumer(consumer) }
                    }
                }
            } onGracefulShutdown: {
                self.beginShutdown()
            }
        } onCancel: {
            self.beginShutdown()
        }
        let probes = registry.withLock { Array($0.probes.values) }
        for probe in probes { await Self.shielded(threads) { probe.close() } }
        let threads = threads
        await Task { try? await threads.shutdownGracefully() }.value
        logger.info("kafka queue stopped")
    }

    // MARK: Internals

    /// The topic's consumer, created (and subscribed) on first use; nil once the queue is shutting down.
    func consumer(for topic: QueueTopic) async throws -> KafkaConsumer? {
        let (existing, closing) = registry.withLock { ($0.consumers[topic], $0.closing) }
        if closing { return nil }
        if let existing { return existing }
        let (settings, logger) = (settings, logger)
        let created = try await threads.runIfActive {
            try KafkaConsumer(topic: topic, settings: settings, logger: logger)
        }
        let kept = registry.withLock { registry -> KafkaConsumer? in
            if registry.closing { return nil }
            if let raced = registry.consumers[topic] { return raced }
            registry.consumers[topic] = created
            return created
        }
        if kept !== created { await Self.shielded(threads) { created.close() } }
        if kept === created { newConsumer.yield(created) }
        return kept
    }

    func beginShutdown() {
        let consumers = registry.withLock { registry in
            registry.closing = true
            return Array(registry.consumers.values)
        }
        producer.beginClosing()
        for consumer in consumers { consumer.beginClosing() }
        newConsumer.finish()
    }

    /// Serves delivery reports until shutdown, then until every delivery is reported (or `flushTimeout`).
    func serveProducer() async {
        let producer = producer
        while !producer.isClosing {
            do {
                try await threads.runIfActive { producer.serve(timeoutMilliseconds: Self.pollMilliseconds) }
            } catch {
                break
            }
        }
        let deadline = ContinuousClock.now + flushTimeout
        while producer.pending, ContinuousClock.now < deadline {
            await Self.shielded(threads) { producer.serve(timeoutMilliseconds: Self.pollMilliseconds) }
        }
        await Self.shielded(threads) { producer.destroy() }
    }

    /// Serves a consumer until shutdown, then commits, leaves the group and frees it.
    func serveConsumer(_ consumer: KafkaConsumer) async {
        while !consumer.isClosing {
            let served: Bool
            do {
                served = try await threads.runIfActive { consumer.serve(timeoutMilliseconds: Self.pollMilliseconds) }
            } catch {
                break
            }
            // A full buffer: wait for `receive` to take some.
            if !served { try? await Task.sleep(for: .milliseconds(20)) }
        }
        await Self.shielded(threads) { consumer.close() }
    }

    /// Runs `body` on the pool even when the calling task is cancelled (shutdown steps must run).
    static func shielded(_ threads: NIOThreadPool, _ body: @escaping @Sendable () -> Void) async {
        await Task { try? await threads.runIfActive(body) }.value
    }
}
