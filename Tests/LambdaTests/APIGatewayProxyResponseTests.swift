import GatewaySchema
import NIOHTTP1
import Testing

@testable import GatewayLambda

@Suite struct APIGatewayProxyResponseTests {
    @Test func theDocumentedShape() throws {
        let response = APIGatewayProxyResponse(
            statusCode: 200,
            headers: HTTPHeaders([("Content-Type", "text/plain"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]),
            body: Array("Hello World".utf8))
        let expected = try JSONParser.parse(FixtureFiles.bytes("apigw-rest-proxy-response.shape-example.json"))
        #expect(try JSONParser.parse(response.encoded()) == expected)
    }

    @Test(
        arguments: [
            ("audio/mpeg", [0xFF, 0xFB, 0x90] as [UInt8], true),
            ("image/png", Array("PNG".utf8), true),
            ("application/octet-stream", Array("abc".utf8), true),
            ("application/json; charset=utf-8", Array("{}".utf8), false),
            ("text/event-stream", Array("data: x\n\n".utf8), false),
            ("application/problem+json", Array("{}".utf8), false),
            ("text/plain", [0xC3, 0x28] as [UInt8], true),
            (nil, Array("plain".utf8), false),
        ] as [(String?, [UInt8], Bool)])
    func binaryBodiesAreBase64(contentType: String?, body: [UInt8], base64: Bool) throws {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let response = APIGatewayProxyResponse(statusCode: 200, headers: headers, body: body)
        let json = try JSONParser.parse(response.encoded())
        #expect(json["isBase64Encoded"]?.boolValue == base64)
        let text = try #require(json["body"]?.stringValue)
        #expect((base64 ? Base64.decode(text) : Array(text.utf8)) == body)
    }

    @Test func emptyResponse() throws {
        let json = try JSONParser.parse(APIGatewayProxyResponse(statusCode: 204).encoded())
        #expect(
            json == [
                "statusCode": 204, "headers": [:], "multiValueHeaders": [:], "body": "", "isBase64Encoded": false,
            ])
    }
}
