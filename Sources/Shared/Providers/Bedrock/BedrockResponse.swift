import GatewayCore
import GatewaySchema

/// Bedrock Converse response → OpenAI `chat.completion`. Pure.
public enum BedrockResponse {
    public static func translate(_ body: JSONObject, context: BedrockRequest.Context) throws -> ProviderResult {
        guard let content = body["output"]?["message"]?["content"]?.arrayValue else {
            throw ProviderError(.invalidResponse, upstreamStatus: 200, message: "the upstream answer has no message")
        }
        var message = BlockMessage(jsonMode: context.jsonMode)
        for block in content {
            if let value = block["text"]?.stringValue {
                message.text(value)
            } else if let value = block["reasoningContent"]?["reasoningText"]?["text"]?.stringValue {
                message.reasoning(value)
            } else if let use = block["toolUse"] {
                message.toolUse(
                    id: use["toolUseId"]?.stringValue ?? "", name: use["name"]?.stringValue ?? "", input: use["input"])
            }
        }
        return message.completion(
            finishReason: finishReason(body["stopReason"]?.stringValue), usage: usage(body["usage"]))
    }

    /// OpenAI's `finish_reason` for a Converse `stopReason`.
    public static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "guardrail_intervened", "content_filtered": return "content_filter"
        default: return "stop"  // end_turn, stop_sequence
        }
    }

    /// OpenAI usage from a Converse `usage`: cache reads and writes are input tokens too.
    public static func usage(_ value: JSONValue?) -> Usage? {
        guard let usage = value?.objectValue, let input = usage["inputTokens"]?.intValue else { return nil }
        let read = usage["cacheReadInputTokens"]?.intValue
        let write = usage["cacheWriteInputTokens"]?.intValue
        return Usage(
            promptTokens: input + (read ?? 0) + (write ?? 0), completionTokens: usage["outputTokens"]?.intValue ?? 0,
            cachedTokens: read, cacheCreationTokens: write)
    }
}
