import GatewayCore
import GatewaySchema

/// ConverseStream events → OpenAI `chat.completion.chunk` objects. A pure state machine fed with each event's
/// type (the `:event-type` header) and JSON payload; the chunks are built by `BlockStreamChunks`. Text blocks
/// have no start event; `messageStop` gives the finish reason and `metadata` (the last event) the usage chunk.
/// Exception frames are mapped by `BedrockErrors.streamException`.
public struct BedrockStream: Sendable {
    var chunks: BlockStreamChunks
    public private(set) var usage: Usage?
    public private(set) var finished = false

    public init(context: BedrockRequest.Context) {
        self.chunks = BlockStreamChunks(jsonMode: context.jsonMode)
    }

    public mutating func translate(eventType: String, payload: JSONObject) -> [JSONObject] {
        let block = payload["contentBlockIndex"]?.intValue ?? 0
        switch eventType {
        case "messageStart":
            return chunks.start()
        case "contentBlockStart":
            guard let use = payload["start"]?["toolUse"] else { return [] }
            return chunks.toolStart(
                block: block, id: use["toolUseId"]?.stringValue ?? "", name: use["name"]?.stringValue ?? "")
        case "contentBlockDelta":
            let delta = payload["delta"]
            if let text = delta?["text"]?.stringValue { return chunks.text(text) }
            if let input = delta?["toolUse"]?["input"]?.stringValue { return chunks.toolInput(block: block, input) }
            return chunks.reasoning(delta?["reasoningContent"]?["text"]?.stringValue ?? "")
        case "contentBlockStop":
            return chunks.blockStop(block: block)
        case "messageStop":
            return chunks.end(finishReason: BedrockResponse.finishReason(payload["stopReason"]?.stringValue))
        case "metadata":
            finished = true
            usage = BedrockResponse.usage(payload["usage"])
            return usage.map { [ChatShapes.usageChunk($0)] } ?? []
        default:
            return []  // event types added later
        }
    }
}
