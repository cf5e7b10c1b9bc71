import GatewayAWS
import GatewayCore
import GatewaySchema

/// Moves messages from a dead-letter queue back to its source queue (`switchboard dlq replay`): receive up to 10
/// from the DLQ, send them to the queue (same body and message attributes), and delete from the DLQ only the
/// ones the queue accepted, so a failure never loses a message (at worst one is delivered twice). Done with
/// plain receive/send/delete rather than `StartMessageMoveTask`, which moto does not implement and which needs
/// the DLQ's ARN permissions.
public struct DLQReplay: Sendable {
    public let client: SQSClient
    public let deadLetterQueueURL: String
    public let queueURL: String
    /// How long received messages stay hidden in the DLQ while being moved.
    let visibilitySeconds = 60

    public init(client: SQSClient, deadLetterQueueURL: String, queueURL: String) {
        self.client = client
        self.deadLetterQueueURL = deadLetterQueueURL
        self.queueURL = queueURL
    }

    /// Moves messages until the DLQ looks empty (a receive long-polling one second returns none) or `limit`
    /// were moved; returns how many were moved.
    @discardableResult
    public func run(limit: Int = .max) async throws -> Int {
        var moved = 0
        while moved < limit {
            let messages = try await client.receiveMessage(
                queueURL: deadLetterQueueURL, max: min(SQSLimits.batchEntries, limit - moved), waitSeconds: 1,
                visibilityTimeout: visibilitySeconds)
            if messages.isEmpty { break }
            let outgoing = messages.enumerated().map { index, message in
                SQSOutgoingMessage(id: String(index), body: message.body, attributes: message.attributes)
            }
            // Ten messages of up to 256 KiB each may exceed a batch's 256 KiB: send in batches that fit.
            var failures: [SQSBatchFailure] = []
            for batch in try SQSQueue.batches(outgoing) {
                failures += try await client.sendMessageBatch(queueURL: queueURL, batch)
            }
            let failed = Set(failures.compactMap { Int($0.id) })
            let sent = messages.indices.filter { !failed.contains($0) }.map { messages[$0].receiptHandle }
            if !sent.isEmpty {
                _ = try await client.deleteMessageBatch(queueURL: deadLetterQueueURL, receiptHandles: sent)
            }
            moved += sent.count
            if let failure = failures.first { throw SQSQueueError.notSent(count: failures.count, code: failure.code) }
        }
        return moved
    }
}
