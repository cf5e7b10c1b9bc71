import Testing

@testable import GatewayCore

@Suite struct KafkaConfigTests {
    @Test func readsTheSection() throws {
        let config = try ConfigLoader.load(
            yaml: """
                kafka:
                  brokers: "kafka-1:9092,kafka-2:9092"
                  topics: { audit: acme.audit, media: acme.media }
                  group_prefix: acme
                  properties: { security.protocol: SASL_SSL, sasl.mechanisms: PLAIN, session.timeout.ms: 6000, enable.ssl.certificate.verification: false }
                """, fileName: "k.yaml", environment: ["SWITCHBOARD_KAFKA_BROKERS": "ignored:9092"])
        let kafka = try #require(config.kafka)
        #expect(kafka.brokers == "kafka-1:9092,kafka-2:9092", "the file wins over the environment")
        #expect(kafka.topicName(.audit) == "acme.audit")
        #expect(kafka.topicName(.ragIngest) == "switchboard.rag-ingest", "unnamed topics keep their default")
        #expect(kafka.topicName(.media) == "acme.media")
        #expect(kafka.groupID(.audit) == "acme.audit")
        #expect(kafka.groupID(.ragIngest) == "acme.rag_ingest")
        #expect(
            kafka.properties == [
                "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN", "session.timeout.ms": "6000",
                "enable.ssl.certificate.verification": "false",
            ])
    }

    @Test func defaultsAndTheEnvironment() throws {
        #expect(try ConfigLoader.load(yaml: "", fileName: "k", environment: [:]).kafka == nil)
        // No section: the environment alone configures Kafka (as the self-hosted services are usually run).
        let fromEnvironment = try #require(
            try ConfigLoader.load(
                yaml: "", fileName: "k",
                environment: [
                    "SWITCHBOARD_KAFKA_BROKERS": "e:9092", "SWITCHBOARD_KAFKA_PROPERTY_SECURITY_PROTOCOL": "ssl",
                ]
            ).kafka)
        #expect(fromEnvironment.brokers == "e:9092")
        #expect(fromEnvironment.properties == ["security.protocol": "ssl"])
        let config = try ConfigLoader.load(
            yaml: "kafka: { properties: { sasl.username: u, sasl.password: from-file } }", fileName: "k",
            environment: [
                "SWITCHBOARD_KAFKA_BROKERS": "b:9092", "SWITCHBOARD_KAFKA_PROPERTY_SASL_PASSWORD": "from-env",
                "SWITCHBOARD_KAFKA_PROPERTY_SSL_KEY_PASSWORD": "k", "SWITCHBOARD_KAFKA_PROPERTY_": "ignored",
            ])
        let kafka = try #require(config.kafka)
        #expect(kafka.brokers == "b:9092")
        #expect(kafka.groupPrefix == "switchboard")
        #expect(kafka.topics == KafkaSettings.defaultTopics)
        #expect(kafka.groupID(.media) == "switchboard.media")
        #expect(
            kafka.properties == ["sasl.username": "u", "sasl.password": "from-env", "ssl.key.password": "k"],
            "the environment's properties win over the file's")
    }

    @Test func reportsProblems() {
        do {
            _ = try ConfigLoader.load(
                yaml: """
                    kafka:
                      topics: { audit: "bad topic", rag_ingest: same, media: same, jobs: x }
                      group_prefix: ""
                      properties: { group.id: mine, sasl.password: { nested: hunter2 } }
                    """, fileName: "k.yaml", environment: [:])
            Issue.record("expected problems")
        } catch {
            let text = error.description
            #expect(text.contains("kafka.brokers: required"), "\(text)")
            #expect(text.contains("kafka.topics.audit: must be 1–249 letters"), "\(text)")
            #expect(text.contains("kafka.topics.jobs: unknown key"), "\(text)")
            #expect(text.contains("kafka.topics: every queue topic needs a Kafka topic of its own"), "\(text)")
            #expect(text.contains("kafka.group_prefix: must be"), "\(text)")
            #expect(text.contains("kafka.properties.group.id: is set by the gateway"), "\(text)")
            #expect(text.contains("kafka.properties.sasl.password: must be a string"), "\(text)")
            #expect(!text.contains("hunter2"))
        }
    }

    @Test func secretsAreRedactedFromTheDescription() {
        let settings = KafkaSettings(
            brokers: "b:9092",
            properties: [
                "sasl.password": "hunter2", "sasl.oauthbearer.client.secret": "s3cret", "ssl.key.pem": "PEMDATA",
                "sasl.username": "alice",
            ])
        let text = settings.description
        #expect(text.contains("sasl.username: alice"))
        #expect(text.contains("sasl.password: <redacted>"))
        for secret in ["hunter2", "s3cret", "PEMDATA"] { #expect(!text.contains(secret)) }
        #expect(KafkaSettings.isSecret("SSL.KEY.PASSWORD"))
        #expect(!KafkaSettings.isSecret("security.protocol"))
    }

    @Test func environmentPropertyNames() {
        #expect(
            KafkaSettings.environmentProperties([
                "SWITCHBOARD_KAFKA_PROPERTY_SASL_PASSWORD": "p",
                "SWITCHBOARD_KAFKA_PROPERTY_SESSION_TIMEOUT_MS": "6000",
                "SWITCHBOARD_KAFKA_BROKERS": "b", "OTHER": "x",
            ]) == ["sasl.password": "p", "session.timeout.ms": "6000"])
    }
}
