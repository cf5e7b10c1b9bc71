import CRdKafka
import GatewayCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The consumer of one topic, in the topic's consumer group, with manual commits.
///
/// Its serving loop (`serve`, on the queue's threads) moves fetched messages into a bounded buffer that
/// `receive` hands out, and handles rebalances itself (event API, no rebalance callback). Offsets are committed
/// only up to the first message not acknowledged (`KafkaPartitionProgress`), asynchronously, a batch at a time.
/// When partitions are revoked it drops their buffered messages, gives the application a moment to acknowledge
/// what it holds, commits synchronously and forgets them: receipts of the old assignment are then ignored, and
/// what was not committed is delivered again to the partition's next owner (at least once).
///
/// While the buffer is full the loop does not poll, so a rebalance waits for `receive` to take messages; after
/// `max.poll.interval.ms` without a poll librdkafka leaves the group, and the partitions go to other members.
final class KafkaConsumer: Sendable {
    struct Fetched {
        let partition: Int32
        let offset: Int64
        let epoch: UInt64
        let payload: [UInt8]
    }

    struct State {
        var buffer: [Fetched] = []
        /// Assigned partitions and the epoch of their assignment.
        var epochs: [Int32: UInt64] = [:]
        var progress: [Int32: KafkaPartitionProgress] = [:]
        var nextEpoch: UInt64 = 0
        /// The commit in flight: its id and, per partition, the epoch and offset it commits.
        var commitInFlight: (id: UInt, offsets: [Int32: (epoch: UInt64, offset: Int64)])?
        var nextCommitID: UInt = 0
        var retryCommitAfter: ContinuousClock.Instant?
        var closing = false
    }

    let topic: QueueTopic
    let topicName: String
    let handle: KafkaHandle
    let logger: Logger
    let state = Mutex(State())
    let doorbell = Doorbell()
    /// Fetched messages kept for `receive`; the loop stops fetching while the buffer is full.
    let bufferCapacity = 1000
    /// How long a revocation waits for the application to acknowledge what it holds from revoked partitions.
    let revocationGrace: Duration = .seconds(2)

    /// Creates the client and subscribes (blocking: call on the queue's threads).
    init(topic: QueueTopic, settings: KafkaSettings, logger: Logger) throws(KafkaError) {
        self.topic = topic
        self.topicName = settings.topicName(topic)
        self.logger = logger
        handle = try KafkaHandle(KafkaClientConfig(role: .consumer(topic), settings: settings), logger: logger)
        let subscription = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        rd_kafka_topic_partition_list_add(subscription, topicName, RD_KAFKA_PARTITION_UA)
        let error = rd_kafka_subscribe(handle.client, subscription)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            handle.destroy()
            throw KafkaError(error, "subscribe to \(topicName)")
        }
    }

    // MARK: Application side (async, never blocks)

    func receive(max: Int, wait: Duration) async -> [QueueDelivery] {
        let deadline = ContinuousClock.now + wait
        while true {
            let (taken, closing) = state.withLock { state -> ([Fetched], Bool) in
                if state.closing { return ([], true) }
                let count = min(max, state.buffer.count)
                let taken = Array(state.buffer.prefix(count))
                state.buffer.removeFirst(count)
                for message in taken { state.progress[message.partition]?.handedOut() }
                return (taken, false)
            }
            if !taken.isEmpty {
                // Kafka does not count deliveries: `redeliveries` is always 0.
                return taken.map {
                    QueueDelivery(
                        receipt: KafkaReceipt(partition: $0.partition, offset: $0.offset, epoch: $0.epoch).description,
                        payload: $0.payload, redeliveries: 0)
                }
            }
            let remaining = deadline - ContinuousClock.now
            if closing || remaining <= .zero || Task.isCancelled { return [] }
            _ = await doorbell.wait(timeout: min(remaining, .milliseconds(250)))
        }
    }

    /// Records acknowledgements; the serving loop commits them. Receipts of partitions this consumer no longer
    /// owns (or of an earlier assignment) are ignored: those messages are delivered again.
    func acknowledge(_ receipts: [String]) {
        let parsed = receipts.compactMap(KafkaReceipt.init)
        state.withLock { state in
            for receipt in parsed where state.epochs[receipt.partition] == receipt.epoch {
                state.progress[receipt.partition]?.acknowledge(receipt.offset)
            }
        }
    }

    func beginClosing() {
        state.withLock { $0.closing = true }
        doorbell.close()
    }

    var isClosing: Bool { state.withLock { $0.closing } }

    // MARK: Serving loop (blocking: the queue's threads only)

    /// Serves events for up to `timeoutMilliseconds`, then commits what was acknowledged. Returns false without
    /// waiting when the buffer is full.
    func serve(timeoutMilliseconds: Int32) -> Bool {
        let room = state.withLock { bufferCapacity - $0.buffer.count }
        guard room > 0 else {
            commitAcknowledged()
            return false
        }
        var fetchedAny = false
        handle.serve(timeoutMilliseconds: timeoutMilliseconds, limit: room) { event, type in
            switch type {
            case RD_KAFKA_EVENT_FETCH: fetchedAny = fetched(event) || fetchedAny
            case RD_KAFKA_EVENT_REBALANCE: rebalance(event)
            case RD_KAFKA_EVENT_OFFSET_COMMIT: commitFinished(event)
            default: break
            }
        }
        if fetchedAny { doorbell.ring() }
        commitAcknowledged()
        return true
    }

    func fetched(_ event: OpaquePointer) -> Bool {
        var any = false
        while let message = rd_kafka_event_message_next(event) {
            let partition = message.pointee.partition
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let error = KafkaError(message.pointee.err, "consume \(topicName)")
                logger.warning("consumer error", metadata: ["error": "\(error)", "partition": "\(partition)"])
                continue
            }
            let offset = message.pointee.offset
            let payload =
                message.pointee.payload.map {
                    Array(UnsafeRawBufferPointer(start: $0, count: message.pointee.len))
                } ?? []
            state.withLock { state in
                guard let epoch = state.epochs[partition] else { return }
                if state.progress[partition] == nil { state.progress[partition] = KafkaPartitionProgress(epoch: epoch) }
                guard state.progress[partition]!.fetched(offset) else { return }
                state.buffer.append(Fetched(partition: partition, offset: offset, epoch: epoch, payload: payload))
                any = true
            }
        }
        return any
    }

    func rebalance(_ event: OpaquePointer) {
        let error = rd_kafka_event_error(event)
        let list = rd_kafka_event_topic_partition_list(event)
        let partitions = Self.partitions(list)
        let cooperative = rd_kafka_rebalance_protocol(handle.client).map { String(cString: $0) } == "COOPERATIVE"
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            state.withLock { state in
                for partition in partitions {
                    state.nextEpoch += 1
                    state.epochs[partition] = state.nextEpoch
                    state.progress[partition] = nil
                }
            }
            logger.info("partitions assigned", metadata: ["topic": "\(topicName)", "partitions": "\(partitions)"])
            if cooperative {
                discard(rd_kafka_incremental_assign(handle.client, list), "assign")
            } else {
                check(rd_kafka_assign(handle.client, list), "assign")
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(partitions, lost: rd_kafka_assignment_lost(handle.client) != 0)
            logger.info("partitions revoked", metadata: ["topic": "\(topicName)", "partitions": "\(partitions)"])
            if cooperative {
                discard(rd_kafka_incremental_unassign(handle.client, list), "unassign")
            } else {
                check(rd_kafka_assign(handle.client, nil), "unassign")
            }
        default:
            logger.error("rebalance failed", metadata: ["error": "\(KafkaError(error, "rebalance \(topicName)"))"])
            revoke(Array(state.withLock { $0.epochs.keys }), lost: true)
            check(rd_kafka_assign(handle.client, nil), "unassign")
        }
    }

    /// Drops the partitions' buffered messages, waits (briefly) for what the application holds, commits, forgets.
    func revoke(_ partitions: [Int32], lost: Bool) {
        let revoked = Set(partitions)
        state.withLock { $0.buffer.removeAll { revoked.contains($0.partition) } }
        if !lost {
            let deadline = ContinuousClock.now + revocationGrace
            while ContinuousClock.now < deadline,
                state.withLock({ state in revoked.contains { (state.progress[$0]?.inHand ?? 0) > 0 } })
            {
                usleep(5000)
            }
            commitSynchronously(revoked)
        }
        state.withLock { state in
            for partition in revoked {
                state.epochs[partition] = nil
                state.progress[partition] = nil
            }
        }
    }

    /// Commits (asynchronously, one batch at a time, retrying after a second on failure) every partition whose
    /// commit point moved past what the broker confirmed.
    func commitAcknowledged() {
        let now = ContinuousClock.now
        let commit = state.withLock { state -> (id: UInt, offsets: [Int32: (epoch: UInt64, offset: Int64)])? in
            guard !state.closing, state.commitInFlight == nil else { return nil }
            if let retry = state.retryCommitAfter, now < retry { return nil }
            var offsets: [Int32: (epoch: UInt64, offset: Int64)] = [:]
            for (partition, progress) in state.progress {
                if let point = progress.uncommitted { offsets[partition] = (progress.epoch, point) }
            }
            guard !offsets.isEmpty else { return nil }
            state.nextCommitID += 1
            state.commitInFlight = (state.nextCommitID, offsets)
            return (state.nextCommitID, offsets)
        }
        guard let commit else { return }
        let list = makeList(commit.offsets.mapValues(\.offset))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        // The result comes back on our own queue as an OFFSET_COMMIT event carrying the id as its opaque.
        let error = rd_kafka_commit_queue(
            handle.client, list, handle.queue, nil, UnsafeMutableRawPointer(bitPattern: commit.id))
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            commitFailed(KafkaError(error, "commit \(topicName)"))
        }
    }

    func commitFinished(_ event: OpaquePointer) {
        let id = UInt(bitPattern: rd_kafka_event_opaque(event))
        let error = rd_kafka_event_error(event)
        var results: [Int32: rd_kafka_resp_err_t] = [:]
        if let list = rd_kafka_event_topic_partition_list(event) {
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                results[element.partition] = element.err
            }
        }
        let failed = state.withLock { state -> Bool in
            guard let commit = state.commitInFlight, commit.id == id else { return false }
            state.commitInFlight = nil
            var failed = false
            for (partition, sent) in commit.offsets {
                let outcome = error == RD_KAFKA_RESP_ERR_NO_ERROR ? (results[partition] ?? error) : error
                if outcome == RD_KAFKA_RESP_ERR_NO_ERROR || outcome == RD_KAFKA_RESP_ERR__NO_OFFSET {
                    if state.progress[partition]?.epoch == sent.epoch {
                        state.progress[partition]!.committed = max(
                            state.progress[partition]!.committed ?? sent.offset, sent.offset)
                    }
                } else {
                    failed = true
                }
            }
            return failed
        }
        if failed { commitFailed(KafkaError(error, "commit \(topicName)")) }
    }

    func commitFailed(_ error: KafkaError) {
        state.withLock { state in
            state.commitInFlight = nil
            state.retryCommitAfter = .now + .seconds(1)
        }
        logger.notice("offset commit failed; will retry", metadata: ["error": "\(error)"])
    }

    /// Commits the acknowledged offsets of `partitions` and waits for the broker (rebalance and shutdown).
    func commitSynchronously(_ partitions: Set<Int32>) {
        let offsets = state.withLock { state in
            var offsets: [Int32: Int64] = [:]
            for partition in partitions {
                if let point = state.progress[partition]?.uncommitted { offsets[partition] = point }
            }
            return offsets
        }
        guard !offsets.isEmpty else { return }
        let list = makeList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_commit(handle.client, list, 0)
        if error == RD_KAFKA_RESP_ERR_NO_ERROR {
            state.withLock { state in
                for (partition, offset) in offsets { state.progress[partition]?.committed = offset }
            }
        } else {
            logger.warning(
                "offset commit failed; those messages will be delivered again",
                metadata: ["error": "\(KafkaError(error, "commit \(topicName)"))"])
        }
    }

    /// Commits what was acknowledged, leaves the group and frees the client (blocking).
    func close() {
        beginClosing()
        commitSynchronously(Set(state.withLock { $0.epochs.keys }))
        let error = rd_kafka_consumer_close(handle.client)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close failed", metadata: ["error": "\(KafkaError(error, "close \(topicName)"))"])
        }
        handle.destroy()
    }

    // MARK: librdkafka plumbing

    func makeList(_ offsets: [Int32: Int64]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            rd_kafka_topic_partition_list_add(list, topicName, partition).pointee.offset = offset
        }
        return list
    }

    static func partitions(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [Int32] {
        guard let list else { return [] }
        return (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].partition }.sorted()
    }

    func check(_ error: rd_kafka_resp_err_t, _ operation: String) {
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        logger.error("rebalance step failed", metadata: ["error": "\(KafkaError(error, "\(operation) \(topicName)"))"])
    }

    func discard(_ error: OpaquePointer?, _ operation: String) {
        guard let error else { return }
        check(rd_kafka_error_code(error), operation)
        rd_kafka_error_destroy(error)
    }
}
