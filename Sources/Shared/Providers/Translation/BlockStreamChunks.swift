import GatewaySchema

/// The OpenAI chunks of a stream made of content blocks (Anthropic, Bedrock): each provider's translator reads
/// its own events and calls this for text, reasoning and tool blocks. Tool calls get dense `index` values in
/// order of appearance; a tool call whose input streamed empty gets `{}` when its block (or the message) ends,
/// so clients always receive JSON; in JSON mode (`JSONModeTool`) the answer tool's input streams as content,
/// and text is held back until it is clear the model did not answer with that tool.
public struct BlockStreamChunks: Sendable {
    enum ToolBlock: Sendable {
        case tool(index: Int)
        /// The forced tool that carries a `response_format` answer.
        case jsonAnswer
    }

    let jsonMode: Bool
    var tools: [Int: ToolBlock] = [:]
    var nextToolIndex = 0
    /// Tool blocks whose input has not produced any argument text yet.
    var emptyInputBlocks: Set<Int> = []
    var heldText = ""
    var sawJSONAnswer = false

    public init(jsonMode: Bool) {
        self.jsonMode = jsonMode
    }

    /// The first chunk: the assistant role.
    public func start() -> [JSONObject] {
        [ChatShapes.chunk(delta: ["role": "assistant", "content": ""])]
    }

    public mutating func text(_ text: String) -> [JSONObject] {
        guard !text.isEmpty else { return [] }
        if jsonMode {
            if !sawJSONAnswer { heldText += text }
            return []
        }
        return [ChatShapes.chunk(delta: ["content": .string(text)])]
    }

    /// Visible reasoning, as `reasoning_content` (a field OpenAI clients ignore).
    public func reasoning(_ text: String) -> [JSONObject] {
        guard !text.isEmpty else { return [] }
        return [ChatShapes.chunk(delta: ["reasoning_content": .string(text)])]
    }

    /// A tool-use block starts at `block`.
    public mutating func toolStart(block: Int, id: String, name: String) -> [JSONObject] {
        emptyInputBlocks.insert(block)
        if jsonMode && name == JSONModeTool.name {
            tools[block] = .jsonAnswer
            sawJSONAnswer = true
            return []
        }
        let index = nextToolIndex
        nextToolIndex += 1
        tools[block] = .tool(index: index)
        return [
            ChatShapes.chunk(delta: ChatShapes.toolCallDelta(index: index, id: id, name: name, arguments: ""))
        ]
    }

    /// A piece of a tool block's input JSON (ignored for blocks that are not tool blocks).
    public mutating func toolInput(block: Int, _ partial: String) -> [JSONObject] {
        guard !partial.isEmpty, let tool = tools[block] else { return [] }
        emptyInputBlocks.remove(block)
        return [arguments(tool, partial)]
    }

    /// A block ends.
    public mutating func blockStop(block: Int) -> [JSONObject] {
        guard emptyInputBlocks.remove(block) != nil, let tool = tools[block] else { return [] }
        return [arguments(tool, "{}")]
    }

    /// The message ends with the provider's stop reason mapped to `finishReason`: tool blocks still open get
    /// their `{}`, held text is released, and a JSON-mode answer finishes with `stop`.
    public mutating func end(finishReason: String) -> [JSONObject] {
        var out: [JSONObject] = []
        for block in emptyInputBlocks.sorted() { out += blockStop(block: block) }
        if !heldText.isEmpty && !sawJSONAnswer {
            out.append(ChatShapes.chunk(delta: ["content": .string(heldText)]))
            heldText = ""
        }
        let answeredInJSON = sawJSONAnswer && nextToolIndex == 0 && finishReason == "tool_calls"
        out.append(ChatShapes.chunk(delta: [:], finishReason: answeredInJSON ? "stop" : finishReason))
        return out
    }

    func arguments(_ tool: ToolBlock, _ text: String) -> JSONObject {
        switch tool {
        case .tool(let index):
            return ChatShapes.chunk(
                delta: ChatShapes.toolCallDelta(index: index, id: nil, name: nil, arguments: text))
        case .jsonAnswer:
            return ChatShapes.chunk(delta: ["content": .string(text)])
        }
    }
}
