import GatewayCore
import GatewaySchema

/// The `arguments` string of an OpenAI tool call, as the JSON object that providers with structured tool
/// input (Anthropic, Bedrock) want.
public enum ToolArguments {
    /// Parses `arguments`; an empty string is `{}`. Anything but a JSON object is a client error.
    public static func object(_ arguments: JSONValue?, toolCallID: String) throws -> JSONValue {
        let text = arguments?.stringValue ?? ""
        if text.allSatisfy(\.isWhitespace) { return .object([:]) }
        guard case .object(let object)? = try? JSONParser.parse(text) else {
            throw ProviderError(
                .badRequest,
                message: "the arguments of tool call '\(toolCallID)' are not a JSON object")
        }
        return .object(object)
    }
}
