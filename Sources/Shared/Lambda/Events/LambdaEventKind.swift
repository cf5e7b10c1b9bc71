import GatewaySchema

/// Which kind of event an invocation carries, so one function can serve the shapes it is wired to.
public enum LambdaEventKind: Sendable, Equatable {
    case apiGatewayProxy
    case tokenAuthorizer
    case sqs
    case unknown

    public static func classify(_ bytes: [UInt8]) -> LambdaEventKind {
        guard let json = try? JSONParser.parse(bytes) else { return .unknown }
        return classify(json)
    }

    public static func classify(_ json: JSONValue) -> LambdaEventKind {
        guard json.objectValue != nil else { return .unknown }
        if json["type"]?.stringValue == "TOKEN", json["methodArn"]?.stringValue != nil { return .tokenAuthorizer }
        if let records = json["Records"]?.arrayValue, let first = records.first,
            first["eventSource"]?.stringValue == "aws:sqs"
        {
            return .sqs
        }
        if json["httpMethod"]?.stringValue != nil, json["requestContext"]?.objectValue != nil {
            return .apiGatewayProxy
        }
        return .unknown
    }
}
