import GatewayCore
import GatewaySchema

/// ConverseStream events → OpenAI `chat.completion.chunk` objects. A pure state machine fed with each event's
/// type (the `:event-type` header) and JSON payload. Text blocks have no start event; tool calls get dense
/// `index` values in order of appearance; `messageStop` gives the finish reason and `metadata` (the last
/// event) the usage chunk. Exception frames are mapped by `BedrockErrors.streamException`. A tool call whose
/// input streamed empty (a tool without parameters) gets `{}` as its arguments when its block stops, so that
/// clients always receive JSON.
public struct BedrockStream: Sendable {
    enum Block: Sendable {
        case tool(index: Int)
        case jsonAnswer
    }

    let context: BedrockRequest.Context
    var blocks: [Int: Block] = [:]
    var nextToolIndex = 0
    /// Tool (and JSON answer) blocks whose input has not produced any argument text yet.
    var emptyInputBlocks: Set<Int> = []
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
            emptyInputBlocks.insert(index)
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
        case "contentBlockStop":
            return emptyInputChunk(block: payload["contentBlockIndex"]?.intValue ?? 0).map { [$0] } ?? []
        case "messageStop":
            var reason = BedrockResponse.finishReason(payload["stopReason"]?.stringValue)
            if sawJSONAnswer && nextToolIndex == 0 && reason == "tool_calls" { reason = "stop" }
            // Blocks the upstream never stopped still get their `{}`.
            var out: [JSONObject] = []
            for block in emptyInputBlocks.sorted() {
                if let chunk = emptyInputChunk(block: block) { out.append(chunk) }
            }
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
            return []  // event types added later
        }
    }

    /// `{}` for a tool block that ends without any input text (nil for any other block).
    mutating func emptyInputChunk(block index: Int) -> JSONObject? {
        guard emptyInputBlocks.remove(index) != nil else { return nil }
        switch blocks[index] {
        case .tool(let toolIndex)?:
            return ChatShapes.chunk(
                delta: ChatShapes.toolCallDelta(index: toolIndex, id: nil, name: nil, arguments: "{}"))
        case .jsonAnswer?:
            return ChatShapes.chunk(delta: ["content": "{}"])
        case nil:
            return nil
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
            emptyInputBlocks.remove(index)
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
