import GatewaySchema

/// The partial batch answer of an SQS-triggered function (`ReportBatchItemFailures`): the messages to retry.
/// An empty list means every message succeeded.
public struct SQSBatchResponse: Sendable, Equatable {
    /// Message ids of the failed messages.
    public var failedMessageIDs: [String]

    public init(failedMessageIDs: [String] = []) {
        self.failedMessageIDs = failedMessageIDs
    }

    public var json: JSONValue {
        [
            "batchItemFailures": .array(
                failedMessageIDs.map { JSONValue.object(["itemIdentifier": .string($0)]) })
        ]
    }

    public func encoded() -> [UInt8] {
        json.serialized()
    }
}
