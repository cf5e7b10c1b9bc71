import CRdKafka
import GatewayCore
import Logging
import Synchronization

/// The idempotent producer (`enable.idempotence`, `acks=all`). `publish` enqueues the messages and returns once
/// the delivery report of every one of them came back: it throws the first failed delivery's error.
final class KafkaProducer: Sendable {
    struct Batch {
        var remaining: Int
        var failure: KafkaError?
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var nextID: UInt = 0
        var batches: [UInt: Batch] = [:]
        var closing = false
    }

    let handle: KafkaHandle
    let topics: [QueueTopic: KafkaTopic]
    let state = Mutex(State())

    init(settings: KafkaSettings, logger: Logger) throws(KafkaError) {
        handle = try KafkaHandle(KafkaClientConfig(role: .producer, settings: settings), logger: logger)
        var topics: [QueueTopic: KafkaTopic] = [:]
        for topic in QueueTopic.allCases {
            guard let created = KafkaTopic(handle, settings.topicName(topic)) else {
                handle.destroy()
                throw KafkaError(rd_kafka_last_error(), "create topic handle \(settings.topicName(topic))")
            }
            topics[topic] = created
        }
        self.topics = topics
    }

    func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws {
        guard !payloads.isEmpty, let target = topics[topic] else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let id = state.withLock { state -> UInt? in
                guard !state.closing else { return nil }
                state.nextID += 1
                state.batches[state.nextID] = Batch(remaining: payloads.count, continuation: continuation)
                return state.nextID
            }
            guard let id else { return continuation.resume(throwing: KafkaError.closed("publish")) }
            // rd_kafka_produce only enqueues (it never blocks without RD_KAFKA_MSG_F_BLOCK); the batch id rides
            // along as the message's opaque and comes back in its delivery report.
            for (index, payload) in payloads.enumerated() {
                let result = payload.withUnsafeBytes { bytes in
                    rd_kafka_produce(
                        target.pointer, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                        UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, nil, 0,
                        UnsafeMutableRawPointer(bitPattern: id))
                }
                if result != 0 {
                    let error = KafkaError(rd_kafka_last_error(), "publish to \(target.name)")
                    settle(id, count: payloads.count - index, failure: error)  // no report for these
                    return
                }
            }
        }
    }

    /// Serves delivery reports (blocking up to `timeoutMilliseconds`; call on the queue's threads).
    func serve(timeoutMilliseconds: Int32) {
        handle.serve(timeoutMilliseconds: timeoutMilliseconds, limit: 1000) { event, type in
            guard type == RD_KAFKA_EVENT_DR else { return }
            while let message = rd_kafka_event_message_next(event) {
                let id = UInt(bitPattern: message.pointee._private)
                var failure: KafkaError?
                if message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
                    failure = KafkaError(message.pointee.err, "deliver to \(topic)")
                }
                settle(id, count: 1, failure: failure)
            }
        }
    }

    func settle(_ id: UInt, count: Int, failure: KafkaError?) {
        let finished = state.withLock { state -> Batch? in
            guard var batch = state.batches[id] else { return nil }
            batch.remaining -= count
            if batch.failure == nil { batch.failure = failure }
            if batch.remaining > 0 {
                state.batches[id] = batch
                return nil
            }
            state.batches[id] = nil
            return batch
        }
        guard let finished else { return }
        if let failure = finished.failure {
            finished.continuation.resume(throwing: failure)
        } else {
            finished.continuation.resume()
        }
    }

    /// New publishes fail from now on.
    func beginClosing() { state.withLock { $0.closing = true } }

    var isClosing: Bool { state.withLock { $0.closing } }

    /// Messages enqueued or in flight.
    var pending: Bool { state.withLock { !$0.batches.isEmpty } || rd_kafka_outq_len(handle.client) > 0 }

    /// Fails what is still waiting (the flush at shutdown ran out of time), then frees the client (blocking).
    func destroy() {
        let abandoned = state.withLock { state in
            defer { state.batches = [:] }
            return state.batches.values
        }
        for batch in abandoned {
            batch.continuation.resume(
                throwing: KafkaError(
                    RD_KAFKA_RESP_ERR__TIMED_OUT, "flush at shutdown",
                    message: "not acknowledged by the broker before the queue shut down"))
        }
        for topic in topics.values { topic.destroy() }
        handle.destroy()
    }
}

/// A producer's topic handle (`rd_kafka_topic_t`).
final class KafkaTopic: Sendable {
    // Thread-safe in librdkafka; freed once, in `destroy()`, before its client.
    nonisolated(unsafe) let pointer: OpaquePointer
    let name: String

    init?(_ handle: KafkaHandle, _ name: String) {
        guard let pointer = rd_kafka_topic_new(handle.client, name, nil) else { return nil }
        self.pointer = pointer
        self.name = name
    }

    func destroy() { rd_kafka_topic_destroy(pointer) }
}
