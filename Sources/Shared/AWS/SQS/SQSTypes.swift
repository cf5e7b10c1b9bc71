/// A message to send in a batch: its batch-unique id, body, and string message attributes.
public struct SQSOutgoingMessage: Sendable, Equatable {
    public var id: String
    public var body: String
    public var attributes: [String: String]

    public init(id: String, body: String, attributes: [String: String] = [:]) {
        self.id = id
        self.body = body
        self.attributes = attributes
    }

    /// The bytes SQS counts against its message and batch size limits: body plus attribute names, types, values.
    public var size: Int {
        body.utf8.count + attributes.reduce(0) { $0 + $1.key.utf8.count + "String".utf8.count + $1.value.utf8.count }
    }
}

/// A received message.
public struct SQSMessage: Sendable, Equatable {
    public var messageID: String
    public var receiptHandle: String
    public var body: String
    /// System attributes asked for (`ApproximateReceiveCount`, …).
    public var systemAttributes: [String: String]
    /// String message attributes.
    public var attributes: [String: String]

    public init(
        messageID: String, receiptHandle: String, body: String, systemAttributes: [String: String],
        attributes: [String: String]
    ) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.systemAttributes = systemAttributes
        self.attributes = attributes
    }

    /// How many times SQS delivered the message, this delivery included (1 when not asked for).
    public var receiveCount: Int { systemAttributes["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1 }
}

/// The entries of a batch call that failed (by id), with SQS's code; the others succeeded.
public struct SQSBatchFailure: Sendable, Equatable {
    public var id: String
    public var code: String
    public var senderFault: Bool

    public init(id: String, code: String, senderFault: Bool) {
        self.id = id
        self.code = code
        self.senderFault = senderFault
    }
}

/// SQS's per-call limits.
public enum SQSLimits {
    /// Entries per `SendMessageBatch` / `DeleteMessageBatch` / `ChangeMessageVisibilityBatch`.
    public static let batchEntries = 10
    /// Bytes of all messages of one `SendMessageBatch` (and of one message).
    public static let batchBytes = 256 * 1024
    /// `ReceiveMessage`'s longest long poll, in seconds.
    public static let maxWaitSeconds = 20
}
