import GatewaySchema

/// A batch of SQS messages delivered by a Lambda event source mapping.
public struct SQSEvent: Sendable, Equatable {
    public var records: [Record]

    public init(records: [Record]) {
        self.records = records
    }

    public init(bytes: [UInt8]) throws(LambdaEventError) {
        try self.init(json: JSONReading.parse(bytes))
    }

    public init(json: JSONValue) throws(LambdaEventError) {
        guard let records = json["Records"]?.arrayValue else { throw .missingField("Records") }
        var decoded: [Record] = []
        for record in records { decoded.append(try Record(json: record)) }
        self.init(records: decoded)
    }

    public struct Record: Sendable, Equatable {
        public var messageID: String
        public var receiptHandle: String
        public var body: String
        /// `attributes` (`ApproximateReceiveCount`, `SentTimestamp`, …), as sent.
        public var attributes: [String: String]
        public var messageAttributes: [String: MessageAttribute]
        public var eventSourceARN: String

        public init(
            messageID: String, receiptHandle: String, body: String, attributes: [String: String] = [:],
            messageAttributes: [String: MessageAttribute] = [:], eventSourceARN: String
        ) {
            self.messageID = messageID
            self.receiptHandle = receiptHandle
            self.body = body
            self.attributes = attributes
            self.messageAttributes = messageAttributes
            self.eventSourceARN = eventSourceARN
        }

        public init(json: JSONValue) throws(LambdaEventError) {
            var attributes: [String: MessageAttribute] = [:]
            for (name, value) in json["messageAttributes"]?.objectValue ?? [:] {
                attributes[name] = MessageAttribute(json: value)
            }
            self.init(
                messageID: try JSONReading.string(json, "messageId"),
                receiptHandle: json["receiptHandle"]?.stringValue ?? "",
                body: try JSONReading.string(json, "body"),
                attributes: Dictionary(
                    JSONReading.stringPairs(json["attributes"]), uniquingKeysWith: { first, _ in first }),
                messageAttributes: attributes, eventSourceARN: json["eventSourceARN"]?.stringValue ?? "")
        }

        /// How many times the message has been received (1 the first time); nil if SQS did not say.
        public var approximateReceiveCount: Int? {
            attributes["ApproximateReceiveCount"].flatMap { Int($0) }
        }
    }

    /// A message attribute: its data type and its string or (decoded) binary value.
    public struct MessageAttribute: Sendable, Equatable {
        public var dataType: String
        public var stringValue: String?
        public var binaryValue: [UInt8]?

        public init(dataType: String, stringValue: String? = nil, binaryValue: [UInt8]? = nil) {
            self.dataType = dataType
            self.stringValue = stringValue
            self.binaryValue = binaryValue
        }

        init(json: JSONValue) {
            self.init(
                dataType: json["dataType"]?.stringValue ?? "", stringValue: json["stringValue"]?.stringValue,
                binaryValue: json["binaryValue"]?.stringValue.flatMap(Base64.decode))
        }
    }
}
