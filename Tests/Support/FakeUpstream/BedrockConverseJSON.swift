/// Writes an `AssistantReply` in the Bedrock Converse JSON shapes (response body, usage, content blocks).
enum BedrockConverseJSON {
    /// `{"output":{"message":{"role":"assistant","content":[…]}},"stopReason":…,"usage":{…},"metrics":{…}}`.
    static func response(_ reply: AssistantReply, latencyMs: Int) -> JSONText {
        var json = JSONText(capacity: 512)
        json.raw("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[")
        for (index, block) in reply.blocks.enumerated() {
            if index > 0 { json.raw(",") }
            write(block, to: &json)
        }
        json.raw("]}},\"stopReason\":")
        json.string(reply.stopReason.rawValue)
        json.raw(",\"usage\":")
        usage(reply, to: &json)
        json.raw(",\"metrics\":{\"latencyMs\":")
        json.int(latencyMs)
        json.raw("}}")
        return json
    }

    /// `TokenUsage`: totalTokens = input + output + cache read + cache write; the cache fields only with `cache`.
    static func usage(_ reply: AssistantReply, to json: inout JSONText) {
        json.raw("{\"inputTokens\":")
        json.int(reply.inputTokens)
        json.raw(",\"outputTokens\":")
        json.int(reply.outputTokens)
        json.raw(",\"totalTokens\":")
        json.int(reply.inputTokens + reply.outputTokens + reply.cacheReadTokens + reply.cacheWriteTokens)
        if reply.cacheReadTokens > 0 || reply.cacheWriteTokens > 0 {
            json.raw(",\"cacheReadInputTokens\":")
            json.int(reply.cacheReadTokens)
            json.raw(",\"cacheWriteInputTokens\":")
            json.int(reply.cacheWriteTokens)
        }
        json.raw("}")
    }

    private static func write(_ block: AssistantReply.Block, to json: inout JSONText) {
        switch block {
        case .thinking(let text, let signature):
            json.raw("{\"reasoningContent\":{\"reasoningText\":{\"text\":")
            json.string(text)
            json.raw(",\"signature\":")
            json.string(signature)
            json.raw("}}}")
        case .text(let text):
            json.raw("{\"text\":")
            json.string(text)
            json.raw("}")
        case .toolUse(let id, let name, let input, _):
            json.raw("{\"toolUse\":{\"toolUseId\":")
            json.string(id)
            json.raw(",\"name\":")
            json.string(name)
            json.raw(",\"input\":")
            json.raw(input)
            json.raw("}}")
        }
    }
}
