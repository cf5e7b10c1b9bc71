import GatewaySchema

/// The answer of a Lambda authorizer: a principal, an IAM policy allowing or denying `execute-api:Invoke`, and a
/// context (string values) that API Gateway hands to the integration in `requestContext.authorizer`.
public struct AuthorizerResponse: Sendable, Equatable {
    public enum Effect: String, Sendable, Equatable {
        case allow = "Allow"
        case deny = "Deny"
    }

    public var principalID: String
    public var effect: Effect
    public var resource: String
    public var context: [String: String]

    public init(principalID: String, effect: Effect, resource: String, context: [String: String] = [:]) {
        self.principalID = principalID
        self.effect = effect
        self.resource = resource
        self.context = context
    }

    /// Every method and resource of the called API's stage: `arn:aws:execute-api:region:account:apiId/stage/*/*`,
    /// so a cached decision applies across routes. The method ARN itself when it is not of that form.
    public static func wildcardResource(methodARN: String) -> String {
        let parts = methodARN.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("arn:"), parts[0].split(separator: ":").count == 6,
            !parts[1].isEmpty
        else { return methodARN }
        return "\(parts[0])/\(parts[1])/*/*"
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "principalId": .string(principalID),
            "policyDocument": [
                "Version": "2012-10-17",
                "Statement": [
                    [
                        "Action": "execute-api:Invoke", "Effect": .string(effect.rawValue),
                        "Resource": .string(resource),
                    ]
                ],
            ],
        ]
        if !context.isEmpty {
            object["context"] = .object(
                JSONObject(context.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        }
        return .object(object)
    }

    public func encoded() -> [UInt8] {
        json.serialized()
    }
}
