import GatewayAWS
import GatewayCore
import GatewaySchema

/// The queue of AWS serverless mode: one SQS standard queue per topic (`audit`, `rag-ingest`, `media`).
///
/// `publish` sends `SendMessageBatch` calls of at most 10 messages and 256 KiB; entries the service refuses are
/// sent again (twice, with backoff), then the call throws `SQSQueueError.notSent`: the caller still holds the
/// payloads and may publish them again (at-least-once). `receive` long-polls (`WaitTimeSeconds`, at most 20 s,
/// rounded up to whole seconds) for at most 10 messages; `redeliveries` is `ApproximateReceiveCount - 1` and the
/// receipt is the receipt handle. A message not acknowledged comes back after the queue's visibility timeout,
/// and after `maxReceiveCount` deliveries SQS moves it to the dead-letter queue (see `DLQReplay`). `depth` is
/// `ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible` (approximate, as its name says).
public struct SQSQueue: MessageQueue {
    public let client: SQSClient
    public let queueURLs: [QueueTopic: String]

    public init(client: SQSClient, queueURLs: [QueueTopic: String]) {
        self.client = client
        self.queueURLs = queueURLs
    }

    /// Attempts for the entries of a batch the service refused.
    let sendAttempts = 3

    func url(_ topic: QueueTopic) throws -> String {
        guard let url = queueURLs[topic] else { throw SQSQueueError.noQueue(topic) }
        return url
    }

    public func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws {
        let url = try url(topic)
        let messages = payloads.enumerated().map { SQSPayload.message(id: String($0.offset), payload: $0.element) }
        for batch in try Self.batches(messages) {
            var pending = batch
            var attempt = 0
            while true {
                let failures = try await client.sendMessageBatch(queueURL: url, pending)
                if failures.isEmpty { break }
                attempt += 1
                let failed = Set(failures.map(\.id))
                pending = pending.filter { failed.contains($0.id) }
                guard attempt < sendAttempts, !failures.contains(where: \.senderFault) else {
                    throw SQSQueueError.notSent(count: pending.count, code: failures[0].code)
                }
                let delay = client.json.retryPolicy.delay(beforeRetry: attempt - 1, random: Double.random(in: 0..<1))
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// Consecutive batches of at most `SQSLimits.batchEntries` messages and `SQSLimits.batchBytes` bytes.
    static func batches(_ messages: [SQSOutgoingMessage]) throws -> [[SQSOutgoingMessage]] {
        var batches: [[SQSOutgoingMessage]] = []
        var current: [SQSOutgoingMessage] = []
        var bytes = 0
        for message in messages {
            guard message.size <= SQSLimits.batchBytes else { throw SQSQueueError.tooLarge(bytes: message.size) }
            if current.count == SQSLimits.batchEntries || bytes + message.size > SQSLimits.batchBytes {
                batches.append(current)
                current = []
                bytes = 0
            }
            current.append(message)
            bytes += message.size
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    public func receive(topic: QueueTopic, max: Int, wait: Duration) async throws -> [QueueDelivery] {
        let url = try url(topic)
        let (seconds, attoseconds) = wait.components
        let waitSeconds = Int(seconds) + (attoseconds > 0 ? 1 : 0)
        let messages = try await client.receiveMessage(
            queueURL: url, max: Swift.min(Swift.max(max, 1), SQSLimits.batchEntries),
            waitSeconds: Swift.min(Swift.max(waitSeconds, 0), SQSLimits.maxWaitSeconds))
        return messages.map { message in
            // A damaged body cannot be processed: it is delivered as empty bytes for the consumer to reject.
            QueueDelivery(
                receipt: message.receiptHandle, payload: SQSPayload.payload(of: message) ?? [],
                redeliveries: Swift.max(0, message.receiveCount - 1))
        }
    }

    public func acknowledge(_ receipts: [String], topic: QueueTopic) async throws {
        let url = try url(topic)
        for start in stride(from: 0, to: receipts.count, by: SQSLimits.batchEntries) {
            let batch = Array(receipts[start..<Swift.min(start + SQSLimits.batchEntries, receipts.count)])
            let failures = try await client.deleteMessageBatch(queueURL: url, receiptHandles: batch)
            // An expired receipt handle means the message was delivered again meanwhile: its new delivery will be
            // acknowledged; nothing else can be done with this one.
            if let failure = failures.first(where: { $0.code != "ReceiptHandleIsInvalid" }) {
                throw SQSQueueError.notAcknowledged(count: failures.count, code: failure.code)
            }
        }
    }

    public func depth(topic: QueueTopic) async throws -> Int {
        let attributes = try await client.getQueueAttributes(
            queueURL: try url(topic), names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"].reduce(0) {
            $0 + (attributes[$1].flatMap { Int($0) } ?? 0)
        }
    }
}

public enum SQSQueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No queue URL is configured for the topic.
    case noQueue(QueueTopic)
    /// A payload alone exceeds SQS's 256 KiB.
    case tooLarge(bytes: Int)
    case notSent(count: Int, code: String)
    case notAcknowledged(count: Int, code: String)

    public var description: String {
        switch self {
        case .noQueue(let topic): "no SQS queue URL is configured for the topic \(topic.rawValue)"
        case .tooLarge(let bytes): "a message of \(bytes) bytes exceeds SQS's limit of \(SQSLimits.batchBytes)"
        case .notSent(let count, let code): "SQS refused \(count) messages (\(code))"
        case .notAcknowledged(let count, let code): "SQS did not delete \(count) messages (\(code))"
        }
    }
}
