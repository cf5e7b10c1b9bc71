import GatewayCore
import GatewaySchema

/// Anthropic stream events → OpenAI `chat.completion.chunk` objects. A pure state machine: feed each event's
/// JSON, get the chunks to send (built by `BlockStreamChunks`). Usage is exact (input from `message_start`,
/// output from the cumulative `message_delta`); the usage chunk comes at `message_stop`. An `error` event
/// throws the matching `ProviderError`.
public struct AnthropicStream: Sendable {
    var chunks: BlockStreamChunks
    var usageObject: JSONObject = [:]
    public private(set) var finished = false

    public init(context: AnthropicRequest.Context) {
        self.chunks = BlockStreamChunks(jsonMode: context.jsonMode)
    }

    /// Usage known so far (complete after `message_stop`).
    public var usage: Usage? { usageObject.isEmpty ? nil : AnthropicResponse.usage(.object(usageObject)) }

    public mutating func translate(_ event: JSONObject) throws -> [JSONObject] {
        let block = event["index"]?.intValue ?? 0
        switch event["type"]?.stringValue {
        case "message_start":
            mergeUsage(event["message"]?["usage"])
            return chunks.start()
        case "content_block_start":
            let content = event["content_block"]
            switch content?["type"]?.stringValue {
            case "text":
                return chunks.text(content?["text"]?.stringValue ?? "")
            case "tool_use":
                return chunks.toolStart(
                    block: block, id: content?["id"]?.stringValue ?? "", name: content?["name"]?.stringValue ?? "")
            default:
                return []  // thinking (its text comes in deltas), redacted thinking, server tools
            }
        case "content_block_delta":
            let delta = event["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta": return chunks.text(delta?["text"]?.stringValue ?? "")
            case "thinking_delta": return chunks.reasoning(delta?["thinking"]?.stringValue ?? "")
            case "input_json_delta": return chunks.toolInput(block: block, delta?["partial_json"]?.stringValue ?? "")
            default: return []  // signature and citation deltas
            }
        case "content_block_stop":
            return chunks.blockStop(block: block)
        case "message_delta":
            mergeUsage(event["usage"])
            return chunks.end(
                finishReason: AnthropicResponse.finishReason(event["delta"]?["stop_reason"]?.stringValue))
        case "message_stop":
            finished = true
            return usage.map { [ChatShapes.usageChunk($0)] } ?? []
        case "error":
            throw AnthropicErrors.streamError(event["error"])
        default:
            return []  // ping and event types added later
        }
    }

    /// `message_delta` usage is cumulative: later values replace earlier ones, field by field.
    mutating func mergeUsage(_ value: JSONValue?) {
        guard let object = value?.objectValue else { return }
        for (key, value) in object where value.intValue != nil { usageObject[key] = value }
    }
}
