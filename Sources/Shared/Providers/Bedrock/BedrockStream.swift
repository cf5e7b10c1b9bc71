import GatewayCore
import GatewaySchema

/// ConverseStream events → OpenAI `chat.completion.chunk` objects. A pure state machine fed with each event's
/// type (the `:event-type` header) and JSON payload. Text blocks have no start event; tool calls get dense
/// `index` values in order of appearance; `messageStop` gives the finish reason and `metadata` (the last
/// event) the usage chunk. Exception frames are mapped by `BedrockErrors.streamException`.
public struct BedrockStream: Sendable {
    enum Block: Sendable {
        case tool(index: Int)
        case jsonAnswer
    }

    let context: BedrockRequest.Context
    var blocks: [Int: Block] = [:]
    var nextToolIndex = 0
    var heldText = ""
    var sawJSONAnswer = false
    public private(set) var usage: Usage?
    public private(set) var finished = false

    public init(context: BedrockRequest.Context) {
        self.context = context
    }

    public mutating func translate(eventType: String, payload: JSONObject) -> [JSONObject] {
        switch eventType {
        case "messageStart":
            return [ChatShapes.chunk(delta: ["role": "assistant", "content": ""])]
        case "contentBlockStart":
            let index = payload["contentBlockIndex"]?.intValue ?? 0
            guard let use = payload["start"]?["toolUse"] else { return [] }
            let name = use["name"]?.stringValue ?? ""
            if context.jsonMode && name == JSONModeTool.name {
                blocks[index] = .jsonAnswer
                sawJSONAnswer = true
                return []
            }
            let toolIndex = nextToolIndex
            nextToolIndex += 1
            blocks[index] = .tool(index: toolIndex)
            return [
                ChatShapes.chunk(
                    delta: ChatShapes.toolCallDelta(
                        index: toolIndex, id: use["toolUseId"]?.stringValue ?? "", name: name, arguments: ""))
            ]
        case "contentBlockDelta":
            return delta(index: payload["contentBlockIndex"]?.intValue ?? 0, delta: payload["delta"])
        case "messageStop":
            var reason = BedrockResponse.finishReason(payload["stopReason"]?.stringValue)
            if sawJSONAnswer && nextToolIndex == 0 && reason == "tool_calls" { reason = "stop" }
            var out: [JSONObject] = []
            if !heldText.isEmpty && !sawJSONAnswer {
                out.append(ChatShapes.chunk(delta: ["content": .string(heldText)]))
                heldText = ""
            }
            out.append(ChatShapes.chunk(delta: [:], finishReason: reason))
            return out
        case "metadata":
            finished = true
            usage = BedrockResponse.usage(payload["usage"])
            return usage.map { [ChatShapes.usageChunk($0)] } ?? []
        default:
            return []  // contentBlockStop and event types added later
        }
    }

    mutating func delta(index: Int, delta: JSONValue?) -> [JSONObject] {
        if let text = delta?["text"]?.stringValue {
            guard !text.isEmpty else { return [] }
            if context.jsonMode {
                if !sawJSONAnswer { heldText += text }
                return []
            }
            return [ChatShapes.chunk(delta: ["content": .string(text)])]
        }
        if let input = delta?["toolUse"]?["input"]?.stringValue {
            guard !input.isEmpty else { return [] }
            switch blocks[index] {
            case .tool(let toolIndex)?:
                return [
                    ChatShapes.chunk(
                        delta: ChatShapes.toolCallDelta(index: toolIndex, id: nil, name: nil, arguments: input))
                ]
            case .jsonAnswer?:
                return [ChatShapes.chunk(delta: ["content": .string(input)])]
            case nil:
                return []
            }
        }
        if let reasoning = delta?["reasoningContent"]?["text"]?.stringValue, !reasoning.isEmpty {
            return [ChatShapes.chunk(delta: ["reasoning_content": .string(reasoning)])]
        }
        return []
    }
}
