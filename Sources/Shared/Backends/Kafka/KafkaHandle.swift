import CRdKafka
import Logging
import Synchronization

/// One librdkafka client (`rd_kafka_t`) and the event queue it is served through.
///
/// Events, never callbacks: the client is configured with `log.queue` and `rd_kafka_conf_set_events`, so logs,
/// errors, delivery reports, fetched messages, rebalances and commit results all arrive on `queue` and are
/// handled by whoever calls `serve`, on that caller's thread. `serve` blocks (it waits in `rd_kafka_queue_poll`):
/// call it only on `KafkaQueue`'s own threads, never on Swift's cooperative pool.
final class KafkaHandle: Sendable {
    // librdkafka documents `rd_kafka_t` and `rd_kafka_queue_t` as safe to use from any thread; they are
    // created in `init` and freed once, in `destroy()`, after their users stopped.
    nonisolated(unsafe) let client: OpaquePointer
    nonisolated(unsafe) let queue: OpaquePointer
    let name: String
    let logger: Logger
    let destroyed = Mutex(false)

    init(_ config: KafkaClientConfig, logger: Logger) throws(KafkaError) {
        let conf = try config.makeConf()
        var reason = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(config.kind, conf, &reason, reason.count) else {
            rd_kafka_conf_destroy(conf)  // on failure the configuration is still ours
            throw KafkaError(
                RD_KAFKA_RESP_ERR__INVALID_ARG, "create client",
                message: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        // Logs go to the main queue; a consumer's main queue is forwarded to its consumer queue.
        rd_kafka_set_log_queue(client, nil)
        if case .consumer = config.role {
            rd_kafka_poll_set_consumer(client)
            queue = rd_kafka_queue_get_consumer(client)
        } else {
            queue = rd_kafka_queue_get_main(client)
        }
        self.client = client
        self.name = String(cString: rd_kafka_name(client))
        var logger = logger
        logger[metadataKey: "kafka.client"] = "\(self.name)"
        self.logger = logger
    }

    /// Serves up to `limit` events: waits up to `timeoutMilliseconds` for the first, then takes only what is
    /// ready. Logs and errors are logged here; every other event goes to `body` and is freed after it returns.
    /// Returns how many events were served.
    @discardableResult
    func serve(timeoutMilliseconds: Int32, limit: Int, _ body: (_ event: OpaquePointer, _ type: Int32) -> Void) -> Int {
        var served = 0
        var timeout = timeoutMilliseconds
        while served < limit, let event = rd_kafka_queue_poll(queue, timeout) {
            timeout = 0
            served += 1
            let type = rd_kafka_event_type(event)
            switch type {
            case RD_KAFKA_EVENT_LOG: log(event)
            case RD_KAFKA_EVENT_ERROR: logError(event)
            default: body(event, type)
            }
            rd_kafka_event_destroy(event)
        }
        return served
    }

    func log(_ event: OpaquePointer) {
        var facility: UnsafePointer<CChar>?
        var text: UnsafePointer<CChar>?
        var level: Int32 = 0
        guard rd_kafka_event_log(event, &facility, &text, &level) == 0, let text else { return }
        let message = String(cString: text)
        // Properties are shared by every client; a producer ignoring a consumer's property is expected.
        let ignoredProperty = message.contains("property and will be ignored by this")
        let logLevel: Logger.Level =
            switch level {
            case _ where ignoredProperty: .debug
            case ...2: .error
            case 3, 4: .warning  // includes connection failures, which librdkafka retries
            case 5: .notice
            case 6: .info
            default: .debug
            }
        logger.log(
            level: logLevel, "\(message)",
            metadata: ["kafka.facility": "\(facility.map { String(cString: $0) } ?? "")"])
    }

    func logError(_ event: OpaquePointer) {
        let error = rd_kafka_event_error(event)
        let fatal = rd_kafka_event_error_is_fatal(event) != 0
        let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
        // librdkafka logs most errors too (FAIL, at warning): a transient error event only adds a notice.
        logger.log(
            level: fatal ? .critical : .notice, "librdkafka error: \(text)",
            metadata: ["kafka.error": "\(String(cString: rd_kafka_err2name(error)))", "kafka.fatal": "\(fatal)"])
    }

    /// Frees the queue and the client (blocking: it waits for librdkafka's threads). Safe to call twice.
    func destroy() {
        let first = destroyed.withLock { destroyed in
            defer { destroyed = true }
            return !destroyed
        }
        guard first else { return }
        rd_kafka_queue_destroy(queue)
        rd_kafka_destroy(client)
    }
}
