import GatewaySchema

/// Where the self-hosted mode's queue lives: the `kafka` section, plus `SWITCHBOARD_KAFKA_BROKERS` and
/// `SWITCHBOARD_KAFKA_PROPERTY_<NAME>` from the environment.
///
/// `properties` go to librdkafka verbatim (SASL, SSL, timeouts…). Any property whose name contains
/// `password`, `secret` or `key` is a secret: `description` shows it redacted.
///
/// Defaults the properties may override: `client.id` (`switchboard-producer`, `switchboard-audit-consumer`,
/// `switchboard-audit-lag`, …), `log.connection.close=false`, and for consumers
/// `topic.metadata.refresh.interval.ms=10000` (a topic created after a consumer subscribed, by the first publish,
/// is consumed within 10 s instead of librdkafka's 5 minutes); otherwise librdkafka's own defaults, notably
/// `session.timeout.ms` 45000 (tests use 6000) and `message.timeout.ms` 300000 (how long `publish` may wait for
/// an unreachable cluster before it throws). The queue sets `reservedProperties` itself (a file that sets one
/// is rejected): `bootstrap.servers`, `group.id`, `enable.auto.commit=false`, `enable.auto.offset.store=false`,
/// `enable.idempotence=true`, `acks=all`, `auto.offset.reset=earliest`, `enable.partition.eof=false`,
/// `log.queue=true`. Topics must
/// exist, or the cluster must create them (`auto.create.topics.enable`; `allow.auto.create.topics=true` lets
/// consumers ask for it too).
public struct KafkaSettings: Sendable, Equatable, CustomStringConvertible {
    /// `bootstrap.servers`: comma-separated `host:port` list.
    public var brokers: String
    /// The Kafka topic of each queue topic.
    public var topics: [QueueTopic: String]
    /// The consumer group of a topic is `<groupPrefix>.<topic key>` (`switchboard.audit`, …).
    public var groupPrefix: String
    /// librdkafka properties, passed through as they are.
    public var properties: [String: String]

    public static let defaultTopics: [QueueTopic: String] = [
        .audit: "switchboard.audit", .ragIngest: "switchboard.rag-ingest", .media: "switchboard.media-jobs",
    ]

    /// Properties the queue sets itself (use `brokers` and `group_prefix`; commits follow acknowledgements).
    public static let reservedProperties: Set<String> = [
        "bootstrap.servers", "metadata.broker.list", "group.id", "enable.auto.commit", "enable.auto.offset.store",
        "enable.idempotence", "acks", "request.required.acks", "auto.offset.reset", "enable.partition.eof",
        "log.queue",
    ]

    public init(
        brokers: String, topics: [QueueTopic: String] = KafkaSettings.defaultTopics,
        groupPrefix: String = "switchboard", properties: [String: String] = [:]
    ) {
        self.brokers = brokers
        self.topics = topics
        self.groupPrefix = groupPrefix
        self.properties = properties
    }

    /// The Kafka topic name of `topic`.
    public func topicName(_ topic: QueueTopic) -> String { topics[topic] ?? Self.defaultTopics[topic]! }

    /// The consumer group that consumes `topic`.
    public func groupID(_ topic: QueueTopic) -> String { "\(groupPrefix).\(topic.kafkaKey)" }

    /// Whether a property's value must never be shown.
    public static func isSecret(_ property: String) -> Bool {
        let name = property.lowercased()
        return ["password", "secret", "key"].contains { name.contains($0) }
    }

    /// `SWITCHBOARD_KAFKA_PROPERTY_SASL_PASSWORD=…` → `sasl.password`.
    public static func environmentProperties(_ environment: [String: String]) -> [String: String] {
        let prefix = "SWITCHBOARD_KAFKA_PROPERTY_"
        var properties: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(prefix) && name.count > prefix.count {
            let property = String(name.dropFirst(prefix.count)).lowercased().replacing("_", with: ".")
            properties[property] = value
        }
        return properties
    }

    public var description: String {
        let shownTopics = QueueTopic.allCases.map { "\($0.kafkaKey): \(topicName($0))" }.joined(separator: ", ")
        let shownProperties = properties.keys.sorted().map { name in
            "\(name): \(Self.isSecret(name) ? "<redacted>" : properties[name]!)"
        }
        return "KafkaSettings(brokers: \(brokers), topics: [\(shownTopics)], group_prefix: \(groupPrefix), "
            + "properties: [\(shownProperties.joined(separator: ", "))])"
    }
}

extension QueueTopic {
    /// The topic's key in the `kafka.topics` section and in consumer group names.
    public var kafkaKey: String {
        switch self {
        case .audit: "audit"
        case .ragIngest: "rag_ingest"
        case .media: "media"
        }
    }
}

extension ConfigReader {
    /// The `kafka` section: brokers (else `SWITCHBOARD_KAFKA_BROKERS`), topic names, the consumer group prefix
    /// and librdkafka properties (`SWITCHBOARD_KAFKA_PROPERTY_<NAME>` overrides the file's).
    mutating func readKafka(_ value: JSONValue, into kafka: inout KafkaSettings?, environment: [String: String]) {
        let path = "kafka"
        guard let fields = object(value, path, allowed: ["brokers", "topics", "group_prefix", "properties"]) else {
            return
        }
        var settings = KafkaSettings(brokers: "")
        if let brokers = string(fields, "brokers", path) ?? environment["SWITCHBOARD_KAFKA_BROKERS"],
            !brokers.allSatisfy(\.isWhitespace)
        {
            settings.brokers = brokers
        } else {
            problem(join(path, "brokers"), "required (host:port,… here or in SWITCHBOARD_KAFKA_BROKERS)")
        }
        let topicsPath = join(path, "topics")
        if let section = fields["topics"],
            let topics = object(section, topicsPath, allowed: QueueTopic.allCases.map(\.kafkaKey))
        {
            for topic in QueueTopic.allCases {
                guard let name = string(topics, topic.kafkaKey, topicsPath) else { continue }
                if Self.validKafkaName(name) {
                    settings.topics[topic] = name
                } else {
                    problem(join(topicsPath, topic.kafkaKey), "must be 1–249 letters, digits, '.', '_' or '-'")
                }
            }
            if Set(settings.topics.values).count < settings.topics.count {
                problem(topicsPath, "every queue topic needs a Kafka topic of its own")
            }
        }
        if let prefix = string(fields, "group_prefix", path) {
            if Self.validKafkaName(prefix) {
                settings.groupPrefix = prefix
            } else {
                problem(join(path, "group_prefix"), "must be 1–249 letters, digits, '.', '_' or '-'")
            }
        }
        let propertiesPath = join(path, "properties")
        if let section = fields["properties"], case .object(let properties) = section {
            for (name, value) in properties {
                switch value {
                case .bool(let flag): settings.properties[name] = flag ? "true" : "false"
                default:
                    if let text = string(properties, name, propertiesPath) { settings.properties[name] = text }
                }
            }
        } else if fields["properties"] != nil {
            problem(propertiesPath, "must be a mapping of librdkafka property to value")
        }
        settings.properties.merge(KafkaSettings.environmentProperties(environment)) { _, environment in environment }
        for name in settings.properties.keys.sorted() where KafkaSettings.reservedProperties.contains(name) {
            problem(
                join(propertiesPath, name),
                "is set by the gateway (brokers and groups come from kafka.brokers and kafka.group_prefix)")
        }
        kafka = settings
    }

    static func validKafkaName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._-".contains($0) }
    }
}
