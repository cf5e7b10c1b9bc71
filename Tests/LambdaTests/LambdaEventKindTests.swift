import Testing

@testable import GatewayLambda

@Suite struct LambdaEventKindTests {
    @Test(arguments: [
        ("apigw-rest-proxy-event-with-authorizer.aws-lambda-go.json", LambdaEventKind.apiGatewayProxy),
        ("apigw-rest-token-authorizer-event.aws-lambda-go.json", .tokenAuthorizer),
        ("apigw-rest-token-authorizer-event.sam-cli-template.json", .tokenAuthorizer),
        ("sqs-event.aws-lambda-go.json", .sqs),
        ("apigw-rest-proxy-response.shape-example.json", .unknown),
        ("apigw-rest-authorizer-response.aws-docs.json", .unknown),
        ("runtime-streaming-expectations.json", .unknown),
    ])
    func everySample(file: String, kind: LambdaEventKind) throws {
        #expect(LambdaEventKind.classify(try FixtureFiles.bytes(file)) == kind)
    }

    @Test func oddDocuments() {
        #expect(LambdaEventKind.classify(Array("[]".utf8)) == .unknown)
        #expect(LambdaEventKind.classify(Array("not json".utf8)) == .unknown)
        #expect(LambdaEventKind.classify(Array(#"{"Records":[{"eventSource":"aws:s3"}]}"#.utf8)) == .unknown)
        #expect(LambdaEventKind.classify(Array(#"{"type":"REQUEST","methodArn":"a"}"#.utf8)) == .unknown)
    }
}
