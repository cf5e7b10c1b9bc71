import GatewayCore
import GatewaySchema

/// Anthropic Messages response → OpenAI `chat.completion`. Pure.
public enum AnthropicResponse {
    public static func translate(_ body: JSONObject, context: AnthropicRequest.Context) throws -> ProviderResult {
        guard let content = body["content"]?.arrayValue else {
            throw ProviderError(.invalidResponse, upstreamStatus: 200, message: "the upstream answer has no content")
        }
        var message = BlockMessage(jsonMode: context.jsonMode)
        for block in content {
            switch block["type"]?.stringValue {
            case "text":
                message.text(block["text"]?.stringValue ?? "")
            case "thinking":
                message.reasoning(block["thinking"]?.stringValue ?? "")
            case "tool_use":
                message.toolUse(
                    id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "", input: block["input"])
            default:
                continue  // redacted thinking, server tool blocks: nothing an OpenAI client can show
            }
        }
        return message.completion(
            finishReason: finishReason(body["stop_reason"]?.stringValue), usage: usage(body["usage"]))
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
