/// Writes an `AssistantReply` as Anthropic `message` JSON (buffered body and the stream's pieces).
struct AnthropicMessageJSON {
    let id: String
    let model: String
    let reply: AssistantReply

    /// The buffered response body.
    func buffered() -> JSONText {
        var json = head()
        json.raw("[")
        for (index, block) in reply.blocks.enumerated() {
            if index > 0 { json.raw(",") }
            Self.write(block, complete: true, to: &json)
        }
        json.raw("],\"stop_reason\":")
        json.string(reply.stopReason.rawValue)
        json.raw(",\"stop_sequence\":")
        json.stringOrNull(reply.stopSequence)
        json.raw(",\"usage\":")
        usage(outputTokens: reply.outputTokens, to: &json)
        json.raw("}")
        return json
    }

    /// The `message` of `message_start`: no content yet, and output_tokens 1 as the real API reports.
    func started() -> JSONText {
        var json = head()
        json.raw("[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":")
        usage(outputTokens: 1, to: &json)
        json.raw("}")
        return json
    }

    /// `{"id":…,"type":"message","role":"assistant","model":…,"content":` (the caller writes the content).
    private func head() -> JSONText {
        var json = JSONText(capacity: 512)
        json.raw("{\"id\":")
        json.string(id)
        json.raw(",\"type\":\"message\",\"role\":\"assistant\",\"model\":")
        json.string(model)
        json.raw(",\"content\":")
        return json
    }

    private func usage(outputTokens: Int, to json: inout JSONText) {
        json.raw("{\"input_tokens\":")
        json.int(reply.inputTokens)
        json.raw(",\"cache_creation_input_tokens\":")
        json.int(reply.cacheWriteTokens)
        json.raw(",\"cache_read_input_tokens\":")
        json.int(reply.cacheReadTokens)
        json.raw(",\"output_tokens\":")
        json.int(outputTokens)
        json.raw(",\"service_tier\":\"standard\"}")
    }

    /// A content block: complete (buffered) or empty, as `content_block_start` announces it.
    static func write(_ block: AssistantReply.Block, complete: Bool, to json: inout JSONText) {
        switch block {
        case .thinking(let text, let signature):
            json.raw("{\"type\":\"thinking\",\"thinking\":")
            json.string(complete ? text : "")
            json.raw(",\"signature\":")
            json.string(complete ? signature : "")
            json.raw("}")
        case .text(let text):
            json.raw("{\"type\":\"text\",\"text\":")
            json.string(complete ? text : "")
            json.raw("}")
        case .toolUse(let id, let name, let input, _):
            json.raw("{\"type\":\"tool_use\",\"id\":")
            json.string(id)
            json.raw(",\"name\":")
            json.string(name)
            json.raw(",\"caller\":{\"type\":\"direct\"},\"input\":")
            json.raw(complete ? input : "{}")
            json.raw("}")
        }
    }
}
