import GatewaySchema

/// A buffered answer made of content blocks (Anthropic, Bedrock) assembled into OpenAI's `chat.completion`:
/// text blocks concatenated, visible reasoning as `reasoning_content`, tool-use blocks as `tool_calls`; in
/// JSON mode the `JSONModeTool` answer is the content (a preamble before it is not) and finishes with `stop`.
public struct BlockMessage: Sendable {
    let jsonMode: Bool
    var text: String?
    var reasoning = ""
    var toolCalls: [JSONValue] = []
    var answeredInJSONTool = false

    public init(jsonMode: Bool) {
        self.jsonMode = jsonMode
    }

    public mutating func text(_ value: String) {
        if !answeredInJSONTool { text = (text ?? "") + value }
    }

    public mutating func reasoning(_ value: String) {
        reasoning += value
    }

    public mutating func toolUse(id: String, name: String, input: JSONValue?) {
        let arguments = (input ?? .object([:])).jsonString
        if jsonMode && name == JSONModeTool.name {
            text = arguments
            answeredInJSONTool = true
        } else {
            toolCalls.append(ChatShapes.toolCall(id: id, name: name, arguments: arguments))
        }
    }

    /// The `chat.completion`, with the provider's stop reason mapped to `finishReason`.
    public func completion(finishReason: String, usage: Usage?) -> ProviderResult {
        let answeredInJSON = answeredInJSONTool && toolCalls.isEmpty && finishReason == "tool_calls"
        let message = ChatShapes.assistantMessage(text: text, toolCalls: toolCalls, reasoning: reasoning)
        return ProviderResult(
            body: ChatShapes.completion(
                message: message, finishReason: answeredInJSON ? "stop" : finishReason, usage: usage),
            usage: usage)
    }
}
