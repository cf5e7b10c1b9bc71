import GatewaySchema
import NIOHTTP1

/// The head of a response streamed through API Gateway (REST API with `responseTransferMode: STREAM`, Lambda
/// `InvokeWithResponseStream`): a JSON object with the status and headers, then 8 NUL bytes, then the raw body.
/// The streamed response's content type is `application/vnd.awslambda.http-integration-response`.
///
/// JSON: `statusCode`; `headers` (names that occur once); `multiValueHeaders` (names that occur more than once,
/// only when there are any); `cookies` (the `Set-Cookie` values, always present).
public struct HTTPIntegrationPrelude: Sendable, Equatable {
    public static let contentType = "application/vnd.awslambda.http-integration-response"
    public static let delimiter: [UInt8] = Array(repeating: 0, count: 8)

    public var statusCode: Int
    public var headers: HTTPHeaders

    public init(statusCode: Int, headers: HTTPHeaders) {
        self.statusCode = statusCode
        self.headers = headers
    }

    /// The metadata object (without the delimiter).
    public var json: JSONValue {
        let groups = ResponseHeaderGroups(headers, separatingCookies: true)
        var object: JSONObject = [
            "statusCode": .number(JSONNumber(statusCode)),
            "headers": .object(JSONObject(groups.single.map { ($0.name, JSONValue.string($0.value)) })),
        ]
        if !groups.multiple.isEmpty {
            object["multiValueHeaders"] = .object(
                JSONObject(groups.multiple.map { ($0.name, JSONValue.array($0.values.map(JSONValue.string))) }))
        }
        object["cookies"] = .array(groups.cookies.map(JSONValue.string))
        return .object(object)
    }

    /// The metadata JSON followed by the 8-byte NUL delimiter: the first bytes of the stream.
    public func encoded() -> [UInt8] {
        json.serialized() + Self.delimiter
    }
}
