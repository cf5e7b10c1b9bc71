import GatewaySchema

/// Amazon SQS over its JSON protocol (awsJson 1.0, `X-Amz-Target: AmazonSQS.<Operation>`, SigV4 service `sqs`).
/// Failures are `AWSServiceError` (`QueueDoesNotExist`, `InvalidParameterValue`, …) or `AWSClientError`;
/// throttling and server errors are retried by `AWSJSONClient`. Batch calls return the entries that failed.
public struct SQSClient: Sendable {
    public let json: AWSJSONClient

    /// A client over `json`, e.g. `AWSJSONClient(service: .sqs, region:environment:credentials:httpClient:)`.
    public init(json: AWSJSONClient) {
        self.json = json
    }

    func call(_ operation: String, _ body: JSONObject) async throws -> JSONValue {
        try await json.target("AmazonSQS.\(operation)", body: .object(body), jsonVersion: "1.0")
    }

    /// Error codes meaning the queue does not exist (JSON and query-compatible forms).
    public static let missingQueueCodes: Set<String> = ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]

    // MARK: Queues

    /// Creates a queue (or returns the URL of an identical one) with the given attributes
    /// (`VisibilityTimeout`, `RedrivePolicy`, …).
    @discardableResult
    public func createQueue(name: String, attributes: [String: String] = [:]) async throws -> String {
        var body: JSONObject = ["QueueName": .string(name)]
        if !attributes.isEmpty { body["Attributes"] = Self.stringMap(attributes) }
        return try Self.string(await call("CreateQueue", body)["QueueUrl"], "QueueUrl")
    }

    public func getQueueURL(name: String) async throws -> String {
        try Self.string(await call("GetQueueUrl", ["QueueName": .string(name)])["QueueUrl"], "QueueUrl")
    }

    /// The named attributes (`ApproximateNumberOfMessages`, `QueueArn`, …; `All` for every one).
    public func getQueueAttributes(queueURL: String, names: [String]) async throws -> [String: String] {
        let answer = try await call(
            "GetQueueAttributes",
            ["QueueUrl": .string(queueURL), "AttributeNames": .array(names.map { .string($0) })])
        return Self.strings(answer["Attributes"])
    }

    public func deleteQueue(queueURL: String) async throws {
        _ = try await call("DeleteQueue", ["QueueUrl": .string(queueURL)])
    }

    // MARK: Messages

    /// Sends one message; returns its message id.
    @discardableResult
    public func sendMessage(queueURL: String, body: String, attributes: [String: String] = [:]) async throws -> String {
        var request: JSONObject = ["QueueUrl": .string(queueURL), "MessageBody": .string(body)]
        if !attributes.isEmpty { request["MessageAttributes"] = Self.messageAttributes(attributes) }
        return try Self.string(await call("SendMessage", request)["MessageId"], "MessageId")
    }

    /// Sends up to `SQSLimits.batchEntries` messages; returns the entries that failed.
    public func sendMessageBatch(queueURL: String, _ messages: [SQSOutgoingMessage]) async throws -> [SQSBatchFailure] {
        let entries: [JSONValue] = messages.map { message in
            var entry: JSONObject = ["Id": .string(message.id), "MessageBody": .string(message.body)]
            if !message.attributes.isEmpty { entry["MessageAttributes"] = Self.messageAttributes(message.attributes) }
            return .object(entry)
        }
        let answer = try await call("SendMessageBatch", ["QueueUrl": .string(queueURL), "Entries": .array(entries)])
        return Self.failures(answer)
    }

    /// Up to `max` (1…10) messages, long-polling up to `waitSeconds` (0…20) for the first; with their
    /// `ApproximateReceiveCount` and every message attribute.
    public func receiveMessage(
        queueURL: String, max: Int, waitSeconds: Int, visibilityTimeout: Int? = nil
    ) async throws -> [SQSMessage] {
        var body: JSONObject = [
            "QueueUrl": .string(queueURL), "MaxNumberOfMessages": .number(JSONNumber(min(Swift.max(max, 1), 10))),
            "WaitTimeSeconds": .number(JSONNumber(min(Swift.max(waitSeconds, 0), SQSLimits.maxWaitSeconds))),
            "AttributeNames": ["ApproximateReceiveCount"],
            "MessageSystemAttributeNames": ["ApproximateReceiveCount"], "MessageAttributeNames": ["All"],
        ]
        if let visibilityTimeout { body["VisibilityTimeout"] = .number(JSONNumber(visibilityTimeout)) }
        let answer = try await call("ReceiveMessage", body)
        return try (answer["Messages"]?.arrayValue ?? []).map { item in
            SQSMessage(
                messageID: item["MessageId"]?.stringValue ?? "",
                receiptHandle: try Self.string(item["ReceiptHandle"], "ReceiptHandle"),
                body: item["Body"]?.stringValue ?? "", systemAttributes: Self.strings(item["Attributes"]),
                attributes: (item["MessageAttributes"]?.objectValue ?? [:]).reduce(into: [:]) { map, entry in
                    if let value = entry.value["StringValue"]?.stringValue { map[entry.key] = value }
                })
        }
    }

    /// Deletes up to `SQSLimits.batchEntries` messages by receipt handle; returns the entries (by index as id)
    /// that failed.
    public func deleteMessageBatch(queueURL: String, receiptHandles: [String]) async throws -> [SQSBatchFailure] {
        let entries: [JSONValue] = receiptHandles.enumerated().map { index, handle in
            ["Id": .string(String(index)), "ReceiptHandle": .string(handle)]
        }
        return Self.failures(
            try await call("DeleteMessageBatch", ["QueueUrl": .string(queueURL), "Entries": .array(entries)]))
    }

    /// Makes a received message visible again after `seconds` (0: at once).
    public func changeMessageVisibility(queueURL: String, receiptHandle: String, seconds: Int) async throws {
        _ = try await call(
            "ChangeMessageVisibility",
            [
                "QueueUrl": .string(queueURL), "ReceiptHandle": .string(receiptHandle),
                "VisibilityTimeout": .number(JSONNumber(seconds)),
            ])
    }

    // MARK: Wire helpers

    static func messageAttributes(_ attributes: [String: String]) -> JSONValue {
        .object(
            JSONObject(
                attributes.sorted { $0.key < $1.key }.map { name, value in
                    (name, ["DataType": "String", "StringValue": .string(value)])
                }))
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(map.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
    }

    static func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).reduce(into: [:]) { map, entry in
            if let text = entry.value.stringValue { map[entry.key] = text }
        }
    }

    static func failures(_ answer: JSONValue) -> [SQSBatchFailure] {
        (answer["Failed"]?.arrayValue ?? []).map { item in
            SQSBatchFailure(
                id: item["Id"]?.stringValue ?? "", code: item["Code"]?.stringValue ?? "",
                senderFault: item["SenderFault"]?.boolValue ?? false)
        }
    }

    static func string(_ value: JSONValue?, _ field: String) throws -> String {
        guard let text = value?.stringValue else {
            throw AWSClientError(.invalidResponse, message: "SQS answered without `\(field)`")
        }
        return text
    }
}
