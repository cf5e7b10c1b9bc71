import Foundation
import GatewaySchema
import Testing

@testable import GatewayAWS

@Suite struct DynamoDBAttributeValueTests {
    @Test func jsonDocumentsRoundTripThroughAttributeValues() throws {
        let document = try JSONParser.parse(
            #"{"targets":[{"provider":"openai","model":"gpt","weight":3,"key_id":null}],"fallbacks":["b","c"],"#
                + #""enabled":true,"ratio":0.25,"big":12345678901234567890,"empty":{},"none":[]}"#)
        let value = DynamoDBAttributeValue(json: document)
        guard case .m(let map) = value else { Issue.record("not a map"); return }
        #expect(map["fallbacks"] == .l([.s("b"), .s("c")]))
        #expect(map["big"] == .n("12345678901234567890"))
        #expect(value.json == document)
        #expect(DynamoDBAttributeValue(wire: value.wire) == value)
    }

    @Test func wireFormsAreTheServicesOwn() throws {
        let item: DynamoDBItem = [
            "s": .s("x"), "n": .number(7), "b": .bool(false), "z": .null, "l": .l([.n("1")]), "ss": .ss(["a", "b"]),
        ]
        #expect(
            DynamoDBAttributeValue.wire(item).jsonString
                == #"{"b":{"BOOL":false},"l":{"L":[{"N":"1"}]},"n":{"N":"7"},"s":{"S":"x"},"ss":{"SS":["a","b"]},"#
                + #""z":{"NULL":true}}"#)
        #expect(DynamoDBAttributeValue.item(wire: DynamoDBAttributeValue.wire(item)) == item)
        #expect(DynamoDBAttributeValue(wire: ["S": "a", "N": "1"]) == nil, "a union has one member")
        #expect(DynamoDBAttributeValue(wire: ["X": "a"]) == nil)
        #expect(DynamoDBAttributeValue.n("+.5").json == .number(JSONNumber(0.5)), "DynamoDB's number forms become JSON")
        #expect(DynamoDBAttributeValue.ns(["1", "2"]).json == [1, 2])
    }
}

@Suite struct AWSServiceErrorsOfDataServicesTests {
    func decode(_ body: String, status: Int = 400, header: String? = nil) -> AWSServiceError {
        AWSServiceError.decode(status: status, errorTypeHeader: header, body: Array(body.utf8))
    }

    @Test func dynamoDBCancellationReasonsNameTheFailedAction() {
        let error = decode(
            #"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction "#
                + #"cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]","#
                + #""CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The "#
                + #"conditional request failed","Item":{"counter":{"S":"c"},"used":{"N":"5"}}}]}"#)
        #expect(error.code == "TransactionCanceledException")
        let reasons = DynamoDBCancellationReason.reasons(of: error)
        #expect(reasons.map(\.code) == ["None", "ConditionalCheckFailed"])
        #expect(reasons[1].item?["used"] == .n("5"))
        #expect(!error.description.contains("used"), "details stay out of the description")

        var bare = error
        bare.details = [:]
        #expect(DynamoDBCancellationReason.reasons(of: bare).map(\.code) == ["None", "ConditionalCheckFailed"])
    }

    @Test func dataServicesCodesAreDecodedAndThrottlingIsRetried() {
        let policy = AWSRetryPolicy()
        let conditional = decode(
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"failed"}"#)
        #expect(conditional.code == "ConditionalCheckFailedException" && !policy.isRetryable(conditional))
        let missingQueue = decode(
            #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#)
        #expect(missingQueue.code == "QueueDoesNotExist")
        #expect(SQSClient.missingQueueCodes.contains(missingQueue.code))
        let secret = decode(#"{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find it."}"#)
        #expect(secret.code == "ResourceNotFoundException" && secret.message.hasPrefix("Secrets Manager"))
        for code in [
            "ProvisionedThroughputExceededException", "ThrottlingException", "RequestThrottled",
            "TransactionConflictException", "KmsThrottled", "RequestLimitExceeded",
        ] {
            #expect(policy.isRetryable(decode(#"{"__type":"ns#\#(code)"}"#)), "\(code)")
        }
        let xml = decode(
            "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we "
                + "calculated does not match</Message></Error></Errors></ErrorResponse>", status: 403)
        #expect(xml.code == "SignatureDoesNotMatch" && xml.message.hasPrefix("The request signature"))
    }

    @Test func endpointsFollowTheSDKsEnvironment() {
        let region = AWSRegion("eu-west-1")
        #expect(
            AWSServiceEndpoint.sqs.resolve(region: region, environment: [:]).description
                == "https://sqs.eu-west-1.amazonaws.com")
        #expect(
            AWSServiceEndpoint.s3Vectors.resolve(region: region, environment: [:]).description
                == "https://s3vectors.eu-west-1.api.aws")
        let environment = [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://sm:1",
        ]
        #expect(
            AWSServiceEndpoint.secretsManager.resolve(region: region, environment: environment).description
                == "http://sm:1")
        #expect(
            AWSServiceEndpoint.dynamoDB.resolve(region: region, environment: environment).description
                == "http://127.0.0.1:4566")
    }

    @Test func iso8601TimestampsRoundTrip() {
        let date = Date(timeIntervalSince1970: 1_775_865_600.25)
        #expect(AWSTimestamp.iso8601(date) == "2026-04-11T00:00:00.250Z")
        #expect(AWSTimestamp.parseISO8601(AWSTimestamp.iso8601(date)) == date)
    }
}
