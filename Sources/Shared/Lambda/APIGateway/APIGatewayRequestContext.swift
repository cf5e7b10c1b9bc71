import GatewayCore
import GatewaySchema

/// The `requestContext` of a REST proxy event: what API Gateway knows about the call.
public struct APIGatewayRequestContext: Sendable, Equatable {
    public var requestID: String
    public var stage: String
    /// `requestContext.path`: the path as the client sent it, including the stage or base path.
    public var path: String?
    public var sourceIP: String?
    public var authorizer: APIGatewayAuthorizerContext?

    public init(
        requestID: String, stage: String, path: String? = nil, sourceIP: String? = nil,
        authorizer: APIGatewayAuthorizerContext? = nil
    ) {
        self.requestID = requestID
        self.stage = stage
        self.path = path
        self.sourceIP = sourceIP
        self.authorizer = authorizer
    }

    public init(json: JSONValue) throws(LambdaEventError) {
        guard json.objectValue != nil else { throw .missingField("requestContext") }
        self.init(
            requestID: try JSONReading.string(json, "requestId"), stage: json["stage"]?.stringValue ?? "",
            path: json["path"]?.stringValue, sourceIP: json["identity"]?["sourceIp"]?.stringValue,
            authorizer: json["authorizer"].flatMap(APIGatewayAuthorizerContext.init(json:)))
    }
}

/// `requestContext.authorizer` of a REST event: the principal and the context a Lambda authorizer returned
/// (API Gateway hands its values on as strings, numbers or booleans; here they are all text).
public struct APIGatewayAuthorizerContext: Sendable, Equatable {
    public var principalID: String?
    /// The other members (scalars only), as text.
    public var context: [String: String]

    public init(principalID: String?, context: [String: String]) {
        self.principalID = principalID
        self.context = context
    }

    /// nil unless `json` is an object.
    public init?(json: JSONValue) {
        guard let object = json.objectValue else { return nil }
        var context: [String: String] = [:]
        for (key, value) in object where key != "principalId" {
            if let text = JSONReading.scalarText(value) { context[key] = text }
        }
        self.init(principalID: object["principalId"].flatMap(JSONReading.scalarText), context: context)
    }

    /// The caller and per-key limits the TOKEN authorizer put in the context, if it did.
    public var authorizedKey: AuthorizedKey? {
        context[AuthorizedKey.contextKey].flatMap(AuthorizedKey.init(encoded:))
    }
}
