import CRdKafka

/// A failure of the Kafka queue: librdkafka's error name (`_MSG_TIMED_OUT`, `TOPIC_AUTHORIZATION_FAILED`, …)
/// and message, and what the queue was doing. Never carries a property value, so no secret can leak through it.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t`.
    public let code: Int32
    public let name: String
    public let message: String
    /// What failed, e.g. "deliver to switchboard.audit".
    public let operation: String

    public init(code: Int32, name: String, message: String, operation: String) {
        self.code = code
        self.name = name
        self.message = message
        self.operation = operation
    }

    init(_ error: rd_kafka_resp_err_t, _ operation: String) {
        self.init(
            code: error.rawValue, name: String(cString: rd_kafka_err2name(error)),
            message: String(cString: rd_kafka_err2str(error)), operation: operation)
    }

    /// A local error with librdkafka's code and name but our own message.
    init(_ error: rd_kafka_resp_err_t, _ operation: String, message: String) {
        self.init(
            code: error.rawValue, name: String(cString: rd_kafka_err2name(error)), message: message,
            operation: operation)
    }

    /// The queue is shutting down or was shut down.
    static func closed(_ operation: String) -> KafkaError {
        KafkaError(RD_KAFKA_RESP_ERR__DESTROY, operation, message: "the Kafka queue is shut down")
    }

    public var description: String { "Kafka: \(operation): \(name): \(message)" }
}
