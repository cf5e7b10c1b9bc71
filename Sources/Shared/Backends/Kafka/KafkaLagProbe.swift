import CRdKafka
import GatewayCore
import Logging

/// Measures a topic's consumer-group lag for `depth`: over the topic's partitions, the high watermark minus
/// the group's committed offset (the low watermark where the group committed nothing). A client of its own that
/// carries the group id but never joins, so it works in a process that only publishes.
final class KafkaLagProbe: Sendable {
    let topicName: String
    let handle: KafkaHandle
    let timeoutMilliseconds: Int32 = 10_000

    /// Blocking: call on the queue's threads.
    init(topic: QueueTopic, settings: KafkaSettings, logger: Logger) throws(KafkaError) {
        topicName = settings.topicName(topic)
        handle = try KafkaHandle(KafkaClientConfig(role: .lagProbe(topic), settings: settings), logger: logger)
    }

    /// Blocking: call on the queue's threads. A topic that does not exist yet has no lag.
    func lag() throws(KafkaError) -> Int {
        handle.serve(timeoutMilliseconds: 0, limit: 10_000) { _, _ in }  // logs and errors since the last call
        let partitions = try self.partitions()
        guard !partitions.isEmpty else { return 0 }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, topicName, partition) }
        let error = rd_kafka_committed(handle.client, list, timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(error, "read committed offsets of \(topicName)")
        }
        var lag: Int64 = 0
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(
                handle.client, topicName, element.partition, &low, &high, timeoutMilliseconds)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(error, "read watermarks of \(topicName)")
            }
            let committed = element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 ? element.offset : low
            lag += max(0, high - max(committed, low))
        }
        return Int(lag)
    }

    func partitions() throws(KafkaError) -> [Int32] {
        guard let topic = rd_kafka_topic_new(handle.client, topicName, nil) else {
            throw KafkaError(rd_kafka_last_error(), "look up \(topicName)")
        }
        defer { rd_kafka_topic_destroy(topic) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle.client, 0, topic, &metadata, timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(error, "read metadata of \(topicName)")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        guard metadata.pointee.topic_cnt > 0, let topics = metadata.pointee.topics else { return [] }
        let found = topics[0]
        if found.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART { return [] }
        guard found.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(found.err, "read metadata of \(topicName)")
        }
        return (0..<Int(found.partition_cnt)).map { found.partitions[$0].id }
    }

    /// Blocking.
    func close() { handle.destroy() }
}
