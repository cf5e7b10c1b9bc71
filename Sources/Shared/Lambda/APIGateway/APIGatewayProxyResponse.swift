import GatewaySchema
import NIOHTTP1

/// A buffered answer to an API Gateway REST proxy event: `statusCode`, `headers` (names that occur once),
/// `multiValueHeaders` (names that occur more than once, such as `Set-Cookie`), `body` and `isBase64Encoded`
/// (true for non-text content such as audio or images; the API must list them in its binary media types).
public struct APIGatewayProxyResponse: Sendable, Equatable {
    public var statusCode: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(statusCode: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    public var isBase64Encoded: Bool {
        !BodyEncoding.isText(contentType: headers.first(name: "content-type"), body: body)
    }

    public var json: JSONValue {
        let groups = ResponseHeaderGroups(headers, separatingCookies: false)
        let base64 = isBase64Encoded
        let object: JSONObject = [
            "statusCode": .number(JSONNumber(statusCode)),
            "headers": .object(JSONObject(groups.single.map { ($0.name, JSONValue.string($0.value)) })),
            "multiValueHeaders": .object(
                JSONObject(groups.multiple.map { ($0.name, JSONValue.array($0.values.map(JSONValue.string))) })),
            "body": .string(base64 ? Base64.encode(body) : String(decoding: body, as: UTF8.self)),
            "isBase64Encoded": .bool(base64),
        ]
        return .object(object)
    }

    /// The JSON document to answer the invocation with.
    public func encoded() -> [UInt8] {
        json.serialized()
    }
}
