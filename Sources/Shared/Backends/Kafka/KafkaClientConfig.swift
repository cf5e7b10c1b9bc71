import CRdKafka
import GatewayCore

/// The properties one librdkafka client is made with, in order: the queue's defaults, then the user's
/// properties, then what the queue needs and will not let the user change.
struct KafkaClientConfig {
    enum Role: Equatable {
        case producer
        /// The consumer of a topic (joins its group).
        case consumer(QueueTopic)
        /// Reads the group's committed offsets and the watermarks of a topic for `depth` (never joins).
        case lagProbe(QueueTopic)
    }

    let role: Role
    var properties: [(name: String, value: String)]

    init(role: Role, settings: KafkaSettings) {
        self.role = role
        let roleName: String
        var enforced = [("bootstrap.servers", settings.brokers), ("log.queue", "true")]
        switch role {
        case .producer:
            roleName = "producer"
            enforced += [("enable.idempotence", "true"), ("acks", "all")]
        case .consumer(let topic), .lagProbe(let topic):
            roleName = role == .consumer(topic) ? "\(topic.kafkaKey)-consumer" : "\(topic.kafkaKey)-lag"
            enforced += [
                ("group.id", settings.groupID(topic)), ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"), ("auto.offset.reset", "earliest"),
                ("enable.partition.eof", "false"),
            ]
        }
        // Defaults the user may override: a recognisable client id in broker logs and quotas, and no log line
        // each time a broker closes an idle connection. A consumer refreshes metadata every 10 s instead of
        // librdkafka's 5 minutes: a subscribed topic that does not exist yet (created by the first publish, when
        // the cluster creates topics) or gains partitions is only noticed at a refresh.
        var defaults = [("client.id", "switchboard-\(roleName)"), ("log.connection.close", "false")]
        if case .consumer = role { defaults.append(("topic.metadata.refresh.interval.ms", "10000")) }
        properties = defaults + settings.properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + enforced
    }

    var kind: rd_kafka_type_t { role == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }

    /// The events its queue delivers (log and error events are served by `KafkaHandle` itself).
    var events: Int32 {
        let common = RD_KAFKA_EVENT_LOG | RD_KAFKA_EVENT_ERROR
        switch role {
        case .producer: return common | RD_KAFKA_EVENT_DR
        case .consumer: return common | RD_KAFKA_EVENT_FETCH | RD_KAFKA_EVENT_REBALANCE | RD_KAFKA_EVENT_OFFSET_COMMIT
        case .lagProbe: return common
        }
    }

    /// A new `rd_kafka_conf_t` (the caller owns it). Errors name the property, and show librdkafka's reason only
    /// for properties that are not secrets (it quotes the value).
    func makeConf() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, "configure", message: "cannot allocate a configuration")
        }
        var reason = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &reason, reason.count)
            guard result != RD_KAFKA_CONF_OK else { continue }
            rd_kafka_conf_destroy(conf)
            let detail =
                KafkaSettings.isSecret(name)
                ? "invalid value for property \(name)"
                : String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(
                RD_KAFKA_RESP_ERR__INVALID_ARG, "configure",
                message: result == RD_KAFKA_CONF_UNKNOWN ? "unknown property \(name)" : detail)
        }
        rd_kafka_conf_set_events(conf, events)
        return conf
    }
}
