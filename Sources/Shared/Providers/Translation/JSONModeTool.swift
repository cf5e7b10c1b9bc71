import GatewaySchema

/// `response_format` on providers without a native JSON mode (Anthropic, Bedrock): the request offers one
/// extra tool whose input schema is the requested schema and forces the model to call it; the response
/// translation turns that call back into the message content, with `finish_reason: stop`.
public enum JSONModeTool {
    public static let name = "json_response"
    public static let description = "Respond with the answer as this tool's input, following its schema."

    /// The schema a `response_format` asks for, or nil for plain text.
    public static func schema(_ format: JSONValue?) -> JSONValue? {
        switch format?["type"]?.stringValue {
        case "json_schema": return format?["json_schema"]?["schema"] ?? ["type": "object"]
        case "json_object": return ["type": "object"]
        default: return nil
        }
    }
}
