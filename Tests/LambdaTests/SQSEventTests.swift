import GatewaySchema
import Testing

@testable import GatewayLambda

@Suite struct SQSEventTests {
    @Test func theRecordedEvent() throws {
        let event = try SQSEvent(bytes: FixtureFiles.bytes("sqs-event.aws-lambda-go.json"))
        let record = try #require(event.records.first)
        #expect(event.records.count == 1)
        #expect(record.messageID == "MessageID_1")
        #expect(record.receiptHandle == "MessageReceiptHandle")
        #expect(record.body == "Message Body")
        #expect(record.approximateReceiveCount == 2)
        #expect(record.attributes["SentTimestamp"] == "1520621625029")
        #expect(record.eventSourceARN == "arn:aws:sqs:us-west-2:123456789012:SQSQueue")
        #expect(
            record.messageAttributes["Attribute1"]
                == SQSEvent.MessageAttribute(dataType: "String", stringValue: "AttributeValue1"))
        #expect(record.messageAttributes["Attribute2"]?.stringValue == "123")
        #expect(
            record.messageAttributes["Attribute3"]
                == SQSEvent.MessageAttribute(dataType: "Binary", binaryValue: Array("1100".utf8)))
    }

    @Test func missingFields() throws {
        #expect(throws: LambdaEventError.missingField("Records")) { try SQSEvent(json: [:]) }
        #expect(throws: LambdaEventError.missingField("body")) {
            try SQSEvent(json: ["Records": [["messageId": "m"]]])
        }
        #expect(
            try SQSEvent(json: ["Records": [["messageId": "m", "body": ""]]]).records[0].approximateReceiveCount == nil)
    }

    @Test func batchResponse() {
        #expect(
            String(decoding: SQSBatchResponse(failedMessageIDs: ["m1", "m2"]).encoded(), as: UTF8.self)
                == #"{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}"#)
        #expect(String(decoding: SQSBatchResponse().encoded(), as: UTF8.self) == #"{"batchItemFailures":[]}"#)
    }
}
