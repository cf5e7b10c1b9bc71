import GatewayCore
import GatewaySchema

/// Anthropic Messages response → OpenAI `chat.completion`. Pure.
public enum AnthropicResponse {
    public static func translate(_ body: JSONObject, context: AnthropicRequest.Context) throws -> ProviderResult {
        guard let content = body["content"]?.arrayValue else {
            throw ProviderError(.invalidResponse, upstreamStatus: 200, message: "the upstream answer has no content")
        }
        var text: String?
        var reasoning = ""
        var toolCalls: [JSONValue] = []
        var answeredInJSONTool = false
        for block in content {
            switch block["type"]?.stringValue {
            case "text":
                if answeredInJSONTool { continue }
                text = (text ?? "") + (block["text"]?.stringValue ?? "")
            case "thinking":
                reasoning += block["thinking"]?.stringValue ?? ""
            case "tool_use":
                let name = block["name"]?.stringValue ?? ""
                let input = (block["input"] ?? .object([:])).jsonString
                if context.jsonMode && name == JSONModeTool.name {
                    // The JSON answer is the content; a preamble the model wrote before the tool call is not.
                    text = input
                    answeredInJSONTool = true
                } else {
                    toolCalls.append(
                        ChatShapes.toolCall(id: block["id"]?.stringValue ?? "", name: name, arguments: input))
                }
            default:
                continue  // redacted thinking, server tool blocks: nothing an OpenAI client can show
            }
        }
        let usage = Self.usage(body["usage"])
        var finish = finishReason(body["stop_reason"]?.stringValue)
        if answeredInJSONTool && toolCalls.isEmpty && finish == "tool_calls" { finish = "stop" }
        let message = ChatShapes.assistantMessage(text: text, toolCalls: toolCalls, reasoning: reasoning)
        return ProviderResult(
            body: ChatShapes.completion(message: message, finishReason: finish, usage: usage), usage: usage)
    }

    /// OpenAI's `finish_reason` for an Anthropic `stop_reason`.
    public static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "refusal": return "content_filter"
        default: return "stop"  // end_turn, stop_sequence, pause_turn
        }
    }

    /// OpenAI usage from an Anthropic `usage` object: every input token counts as a prompt token, cached or not.
    public static func usage(_ value: JSONValue?) -> Usage? {
        guard let usage = value?.objectValue else { return nil }
        let input = usage["input_tokens"]?.intValue ?? 0
        let creation = usage["cache_creation_input_tokens"]?.intValue
        let read = usage["cache_read_input_tokens"]?.intValue
        return Usage(
            promptTokens: input + (creation ?? 0) + (read ?? 0),
            completionTokens: usage["output_tokens"]?.intValue ?? 0,
            cachedTokens: read, cacheCreationTokens: creation)
    }
}
