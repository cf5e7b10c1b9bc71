import GatewayCore
import GatewaySchema

/// Anthropic stream events → OpenAI `chat.completion.chunk` objects. A pure state machine: feed each event's
/// JSON, get the chunks to send. Tool calls get dense `index` values in order of appearance; usage is exact
/// (input from `message_start`, output from the cumulative `message_delta`); the usage chunk comes at
/// `message_stop`. An `error` event throws the matching `ProviderError`. A tool call whose input streamed
/// empty (a tool without parameters: one empty `input_json_delta`) gets `{}` as its arguments when its block
/// stops, so that clients always receive JSON.
public struct AnthropicStream: Sendable {
    enum Block: Sendable {
        case text
        case thinking
        case tool(index: Int)
        /// The forced tool that carries a `response_format` answer: its input streams as content.
        case jsonAnswer
        case ignored
    }

    let context: AnthropicRequest.Context
    var blocks: [Int: Block] = [:]
    var nextToolIndex = 0
    /// Tool (and JSON answer) blocks whose input has not produced any argument text yet.
    var emptyInputBlocks: Set<Int> = []
    var usageObject: JSONObject = [:]
    var finishReason: String?
    /// In JSON mode, text is held back until it is clear the model did not answer with the JSON tool.
    var heldText = ""
    var sawJSONAnswer = false
    public private(set) var finished = false

    public init(context: AnthropicRequest.Context) {
        self.context = context
    }

    /// Usage known so far (complete after `message_stop`).
    public var usage: Usage? { usageObject.isEmpty ? nil : AnthropicResponse.usage(.object(usageObject)) }

    public mutating func translate(_ event: JSONObject) throws -> [JSONObject] {
        switch event["type"]?.stringValue {
        case "message_start":
            mergeUsage(event["message"]?["usage"])
            return [ChatShapes.chunk(delta: ["role": "assistant", "content": ""])]
        case "content_block_start":
            return contentBlockStart(index: event["index"]?.intValue ?? 0, block: event["content_block"])
        case "content_block_delta":
            return contentBlockDelta(index: event["index"]?.intValue ?? 0, delta: event["delta"])
        case "message_delta":
            mergeUsage(event["usage"])
            var reason = AnthropicResponse.finishReason(event["delta"]?["stop_reason"]?.stringValue)
            if sawJSONAnswer && nextToolIndex == 0 && reason == "tool_calls" { reason = "stop" }
            finishReason = reason
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
        case "message_stop":
            finished = true
            return usage.map { [ChatShapes.usageChunk($0)] } ?? []
        case "content_block_stop":
            return emptyInputChunk(block: event["index"]?.intValue ?? 0).map { [$0] } ?? []
        case "error":
            throw AnthropicErrors.streamError(event["error"])
        default:
            return []  // ping and event types added later
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
        default:
            return nil
        }
    }

    mutating func contentBlockStart(index: Int, block: JSONValue?) -> [JSONObject] {
        switch block?["type"]?.stringValue {
        case "text":
            blocks[index] = .text
            if let text = block?["text"]?.stringValue, !text.isEmpty { return textChunks(text) }
            return []
        case "thinking":
            blocks[index] = .thinking
            return []
        case "tool_use":
            let name = block?["name"]?.stringValue ?? ""
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
                        index: toolIndex, id: block?["id"]?.stringValue ?? "", name: name, arguments: ""))
            ]
        default:
            blocks[index] = .ignored
            return []
        }
    }

    mutating func contentBlockDelta(index: Int, delta: JSONValue?) -> [JSONObject] {
        switch (blocks[index], delta?["type"]?.stringValue) {
        case (.text?, "text_delta"):
            return textChunks(delta?["text"]?.stringValue ?? "")
        case (.thinking?, "thinking_delta"):
            guard let thinking = delta?["thinking"]?.stringValue, !thinking.isEmpty else { return [] }
            return [ChatShapes.chunk(delta: ["reasoning_content": .string(thinking)])]
        case (.tool(let toolIndex)?, "input_json_delta"):
            guard let partial = delta?["partial_json"]?.stringValue, !partial.isEmpty else { return [] }
            emptyInputBlocks.remove(index)
            return [
                ChatShapes.chunk(
                    delta: ChatShapes.toolCallDelta(index: toolIndex, id: nil, name: nil, arguments: partial))
            ]
        case (.jsonAnswer?, "input_json_delta"):
            guard let partial = delta?["partial_json"]?.stringValue, !partial.isEmpty else { return [] }
            emptyInputBlocks.remove(index)
            return [ChatShapes.chunk(delta: ["content": .string(partial)])]
        default:
            return []  // signature and citation deltas
        }
    }

    mutating func textChunks(_ text: String) -> [JSONObject] {
        guard !text.isEmpty else { return [] }
        if context.jsonMode {
            if !sawJSONAnswer { heldText += text }
            return []
        }
        return [ChatShapes.chunk(delta: ["content": .string(text)])]
    }

    /// `message_delta` usage is cumulative: later values replace earlier ones, field by field.
    mutating func mergeUsage(_ value: JSONValue?) {
        guard let object = value?.objectValue else { return }
        for (key, value) in object where value.intValue != nil { usageObject[key] = value }
    }
}
