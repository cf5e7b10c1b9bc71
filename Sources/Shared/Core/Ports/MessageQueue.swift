/// Topics of the internal queue.
public enum QueueTopic: String, Sendable, Hashable, CaseIterable {
    case audit
    case ragIngest = "rag-ingest"
    case media
}

/// A message delivered by a queue, to be acknowledged once processed.
public struct QueueDelivery: Sendable, Equatable {
    /// Backend-specific receipt used to acknowledge.
    public var receipt: String
    public var payload: [UInt8]
    /// How many times this message was delivered before (0 on first delivery).
    public var redeliveries: Int

    public init(receipt: String, payload: [UInt8], redeliveries: Int) {
        self.receipt = receipt
        self.payload = payload
        self.redeliveries = redeliveries
    }
}

/// At-least-once queue: `publish` returns once the messages are durable; a delivery not acknowledged is
/// delivered again.
public protocol MessageQueue: Sendable {
    func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws
    /// Up to `max` messages; waits up to `wait` for the first one, returns [] if none came.
    func receive(topic: QueueTopic, max: Int, wait: Duration) async throws -> [QueueDelivery]
    func acknowledge(_ receipts: [String], topic: QueueTopic) async throws
    /// Messages published but not yet acknowledged.
    func depth(topic: QueueTopic) async throws -> Int
}
