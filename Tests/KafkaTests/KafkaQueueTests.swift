import GatewayCore
import GatewayKafka
import Synchronization
import Testing

/// The Kafka queue against a real broker (`SWITCHBOARD_TEST_KAFKA_BROKERS`): the at-least-once contract of the
/// other queues (`StoreConformanceTests`) in Kafka's terms (order only within a partition; an unacknowledged
/// message comes back to the group's next consumer), commits that stop at the first unacknowledged message,
/// a rebalance, and a broker restart.
/// Serialized: one test restarts the broker.
@Suite(
    .serialized,
    .enabled(if: KafkaTestBroker.brokers != nil, "SWITCHBOARD_TEST_KAFKA_BROKERS is not set (scripts/kafka start)"))
struct KafkaQueueTests {
    @Test func deliversAtLeastOnceUntilAcknowledged() async throws {
        let settings = KafkaTestBroker.settings()
        let (first, stopFirst) = try KafkaTestBroker.running(settings)
        try await first.publish([[1], [2], [3]], topic: .audit)
        try await first.publish([[9]], topic: .media)
        try await expectDepth(3, of: first)
        let delivered = try await receive(3, from: first)
        #expect(delivered.map(\.number).sorted() == [1, 2, 3], "each once, order only within a partition")
        #expect(delivered.allSatisfy { $0.redeliveries == 0 })
        #expect(
            try await first.receive(topic: .audit, max: 10, wait: .seconds(1)).isEmpty,
            "in-flight messages are not delivered twice at once")
        try await first.acknowledge(delivered.filter { $0.number != 3 }.map(\.receipt), topic: .audit)
        try await expectDepth(1, of: first)
        await stopFirst()

        // The group's next consumer gets the unacknowledged message again, and only that one.
        let (second, stopSecond) = try KafkaTestBroker.running(settings)
        let again = try await receive(1, from: second)
        #expect(again.map(\.number) == [3])
        try await second.acknowledge(again.map(\.receipt), topic: .audit)
        try await expectDepth(0, of: second)
        #expect(try await second.receive(topic: .audit, max: 10, wait: .seconds(2)).isEmpty)
        #expect(try await receive(1, from: second, topic: .media).map(\.number) == [9])
        await stopSecond()
    }

    @Test func receiveWakesUpWhenAMessageIsPublished() async throws {
        let (queue, stop) = try KafkaTestBroker.running(KafkaTestBroker.settings())
        async let received = queue.receive(topic: .audit, max: 10, wait: .seconds(60))
        try await Task.sleep(for: .milliseconds(100))
        try await queue.publish([[42]], topic: .audit)
        #expect(try await received.map(\.number) == [42])
        await stop()
    }

    /// A consumer that subscribed before its topic existed (a fresh cluster that creates topics on first use:
    /// the consumer's queue may not create them, another process's first publish does) consumes it once a
    /// metadata refresh shows the topic, within about 10 s, not librdkafka's default 5 minutes.
    @Test func aTopicCreatedAfterTheConsumerSubscribedIsConsumed() async throws {
        let settings = KafkaTestBroker.settings()
        var consumerSettings = settings
        consumerSettings.properties["allow.auto.create.topics"] = "false"
        let (consumer, stopConsumer) = try KafkaTestBroker.running(consumerSettings)
        async let received = consumer.receive(topic: .audit, max: 10, wait: .seconds(45))
        try await Task.sleep(for: .seconds(3))  // joins its group and finds no topic
        let (publisher, stopPublisher) = try KafkaTestBroker.running(settings)
        try await publisher.publish([[7]], topic: .audit)
        #expect(try await received.map(\.number) == [7])
        await stopPublisher()
        await stopConsumer()
    }

    @Test func commitsStopAtTheFirstUnacknowledgedMessage() async throws {
        // The sticky partitioner keeps a partition for a while: most messages share one.
        let settings = KafkaTestBroker.settings(["sticky.partitioning.linger.ms": "60000"])
        let (first, stopFirst) = try KafkaTestBroker.running(settings)
        try await first.publish(numbered(0..<40), topic: .audit)
        let delivered = try await receive(40, from: first)
        try #require(delivered.count == 40)
        let byPartition = Dictionary(grouping: delivered, by: \.partition)
        let partition = try #require(byPartition.values.first { $0.count >= 4 }, "no partition got 4 messages")
        #expect(partition.map(\.number) == partition.map(\.number).sorted(), "in offset order within a partition")
        // In that partition acknowledge the first message and everything after the second, not the second.
        let gap = partition[1]
        let acknowledged = delivered.filter { $0.receipt != gap.receipt }
        try await first.acknowledge(acknowledged.map(\.receipt), topic: .audit)
        let expectedLag = partition.count - 1
        try await expectDepth(expectedLag, of: first)  // committed up to the gap
        await stopFirst()

        let (second, stopSecond) = try KafkaTestBroker.running(settings)
        let again = try await receive(expectedLag, from: second)
        #expect(
            again.map(\.number) == partition.dropFirst().map(\.number),
            "the unacknowledged second message and all after it come again; the first never does")
        #expect(try await second.receive(topic: .audit, max: 10, wait: .seconds(1)).isEmpty)
        await stopSecond()
    }

    @Test func aThousandMessagesAreConsumedOnceAcrossARebalance() async throws {
        // Spread the messages over every partition (no sticky partitioning).
        let settings = KafkaTestBroker.settings(["sticky.partitioning.linger.ms": "0"])
        let (producer, stopProducer) = try KafkaTestBroker.running(settings)
        try await producer.publish(numbered(0..<1000), topic: .audit)
        try await expectDepth(1000, of: producer)

        let tally = Tally()
        let (first, stopFirst) = try KafkaTestBroker.running(settings)
        let (second, stopSecond) = try KafkaTestBroker.running(settings)
        let deadline = ContinuousClock.now + .seconds(120)
        try await withThrowingTaskGroup { group in
            group.addTask { try await tally.consume(first, until: deadline) }
            // The second member joins once the first is under way: the group rebalances mid-stream.
            group.addTask {
                while tally.distinct < 100, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await tally.consume(second, until: deadline)
            }
            try await group.waitForAll()
        }
        try await expectDepth(0, of: producer)
        // Nothing comes again: every message was acknowledged by the member that held its partition.
        async let late1 = first.receive(topic: .audit, max: 10, wait: .seconds(2))
        async let late2 = second.receive(topic: .audit, max: 10, wait: .seconds(2))
        let late = try await late1 + late2
        let counts = tally.seen.withLock { $0 }
        #expect(counts.count == 1000)
        #expect(
            counts.values.allSatisfy { $0 == 1 }, "delivered twice: \(counts.filter { $0.value > 1 }.keys.sorted())")
        #expect(late.isEmpty)
        await stopFirst()
        await stopSecond()
        await stopProducer()
    }

    @Test func aBrokerRestartLosesNothing() async throws {
        let settings = KafkaTestBroker.settings()
        let (producer, stopProducer) = try KafkaTestBroker.running(settings)
        try await producer.publish(numbered(0..<20), topic: .audit)
        let (first, stopFirst) = try KafkaTestBroker.running(settings)
        let early = try await receive(20, from: first)
        #expect(Set(early.map(\.number)) == Set(0..<20))
        // Acknowledge the first half of every partition (commits stop at the first unacknowledged message).
        let done = Dictionary(grouping: early, by: \.partition).values.flatMap { $0.prefix($0.count / 2) }
        try await first.acknowledge(done.map(\.receipt), topic: .audit)
        try await expectDepth(20 - done.count, of: producer)
        await stopFirst()

        try await KafkaTestBroker.restartBroker()
        // The same producer reconnects and publishes after the restart.
        try await producer.publish(numbered(20..<40), topic: .audit)
        let (second, stopSecond) = try KafkaTestBroker.running(settings)
        let remaining = Set(0..<40).subtracting(done.map(\.number))
        let late = try await receive(remaining.count, from: second, timeout: .seconds(90))
        #expect(Set(late.map(\.number)) == remaining, "committed offsets and messages survived the restart")
        #expect(late.count == remaining.count)
        try await second.acknowledge(late.map(\.receipt), topic: .audit)
        try await expectDepth(0, of: second)
        await stopSecond()
        await stopProducer()
    }
}

/// How often each numbered message was received, by consumers that acknowledge everything at once.
final class Tally: Sendable {
    let seen = Mutex<[Int: Int]>([:])

    var distinct: Int { seen.withLock { $0.count } }

    func consume(_ queue: KafkaQueue, until deadline: ContinuousClock.Instant) async throws {
        while distinct < 1000, ContinuousClock.now < deadline {
            let batch = try await queue.receive(topic: .audit, max: 25, wait: .milliseconds(500))
            seen.withLock { seen in for delivery in batch { seen[delivery.number, default: 0] += 1 } }
            try await queue.acknowledge(batch.map(\.receipt), topic: .audit)
        }
    }
}

/// Without a broker (any librdkafka will do).
@Suite struct KafkaQueueFailureTests {
    @Test func publishToAnUnreachableBrokerThrows() async throws {
        var settings = KafkaTestBroker.settings(["message.timeout.ms": "1500"])
        settings.brokers = "127.0.0.1:1"
        let (queue, stop) = try KafkaTestBroker.running(settings)
        await #expect(throws: KafkaError.self) { try await queue.publish([[1], [2]], topic: .audit) }
        do {
            try await queue.publish([[3]], topic: .audit)
        } catch let error as KafkaError {
            #expect(error.name == "_MSG_TIMED_OUT", "\(error)")
            #expect(error.description.contains("deliver to \(settings.topicName(.audit))"), "\(error)")
        }
        await stop()
        await #expect(throws: KafkaError.self) { try await queue.publish([[4]], topic: .audit) }
    }

    @Test func configurationErrorsNeverShowSecretValues() {
        for (name, value) in [("sasl.pasword", "hunter2"), ("ssl_key", "hunter2"), ("acks", "every-one")] {
            do {
                _ = try KafkaQueue(
                    settings: KafkaSettings(brokers: "127.0.0.1:1", properties: [name: value]),
                    logger: KafkaTestBroker.logger)
                Issue.record("\(name) was accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains(name), "\(text)")
                #expect(!text.contains("hunter2"), "\(text)")
            }
        }
    }
}
