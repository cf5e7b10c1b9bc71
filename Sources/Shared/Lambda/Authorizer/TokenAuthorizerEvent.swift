import GatewaySchema

/// The event of an API Gateway REST TOKEN authorizer: the `Authorization` header's value and the ARN of the
/// method called.
public struct TokenAuthorizerEvent: Sendable, Equatable {
    public var type: String
    public var authorizationToken: String
    public var methodARN: String

    public init(type: String = "TOKEN", authorizationToken: String, methodARN: String) {
        self.type = type
        self.authorizationToken = authorizationToken
        self.methodARN = methodARN
    }

    public init(bytes: [UInt8]) throws(LambdaEventError) {
        try self.init(json: JSONReading.parse(bytes))
    }

    public init(json: JSONValue) throws(LambdaEventError) {
        self.init(
            type: try JSONReading.string(json, "type"),
            authorizationToken: json["authorizationToken"]?.stringValue ?? "",
            methodARN: try JSONReading.string(json, "methodArn"))
    }
}
