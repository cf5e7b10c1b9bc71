/// The request facts an Anthropic or Bedrock reply depends on.
struct ReplyInput {
    /// Text of the last user message (its text blocks joined with a space).
    var lastUserText: String
    /// Words in the system prompt and all message text (including tool results).
    var inputTokens: Int
    /// Names of the offered tools, in order.
    var toolNames: [String]
    var maxTokens: Int?
    var stopSequences: [String]
    /// The request itself asked for extended thinking.
    var wantsThinking: Bool
}

/// What the Anthropic and Bedrock fakes answer, before it is written in either wire format.
///
/// - text: `You said: <last user text>`, cut to `max_tokens` words (stop reason max_tokens);
/// - `tool` / `tools2` with tools offered: `I will call <tool>.` then one / two calls of the first tool with
///   `{"location":"Paris"}` and `{"location":"Tokyo"}` (stop reason tool_use), or `{}` with `noargs`;
/// - `thinking` / `reasoning`: a thinking block `Let me think this through briefly.` first.
///
/// Usage: input = `ReplyInput.inputTokens`; output = words of thinking and text + 3 per tool call;
/// with `cache`, cache read = 100 and cache write = 20 (otherwise 0).
struct AssistantReply {
    enum Block {
        case thinking(text: String, signature: String)
        case text(String)
        case toolUse(id: String, name: String, input: String, inputPieces: [String])
    }

    enum StopReason: String {
        case endTurn = "end_turn"
        case toolUse = "tool_use"
        case maxTokens = "max_tokens"
        case stopSequence = "stop_sequence"
    }

    static let thinkingText = "Let me think this through briefly."
    static let thinkingSignature = "ZmFrZS10aGlua2luZy1zaWduYXR1cmU="
    static let maxTokensWords = 3
    static let cacheReadTokens = 100
    static let cacheWriteTokens = 20
    static let defaultStopSequence = "STOP"

    var blocks: [Block] = []
    var stopReason = StopReason.endTurn
    var stopSequence: String?
    var inputTokens: Int
    var outputTokens = 0
    var cacheReadTokens = 0
    var cacheWriteTokens = 0

    /// Builds the reply; tool-use ids are `<toolIDPrefix><index>`.
    init(_ input: ReplyInput, behavior: ProviderBehavior, toolIDPrefix: String) {
        inputTokens = input.inputTokens
        if behavior.usesCache {
            cacheReadTokens = Self.cacheReadTokens
            cacheWriteTokens = Self.cacheWriteTokens
        }
        if behavior.thinks || input.wantsThinking {
            append(.thinking(text: Self.thinkingText, signature: Self.thinkingSignature))
        }
        if behavior.toolCallCount > 0, let tool = input.toolNames.first {
            append(.text("I will call \(tool)."))
            for index in 0..<behavior.toolCallCount {
                let call = ChatCompletions.ToolCall(
                    index: index, name: tool, noArguments: behavior.toolArgumentsEmpty)
                // Empty input streams as nothing but the empty delta every tool-use block starts with.
                append(
                    .toolUse(
                        id: toolIDPrefix + String(index), name: tool, input: call.arguments,
                        inputPieces: call.noArguments ? [] : call.argumentPieces))
            }
            stopReason = .toolUse
            return
        }
        var limit = input.maxTokens
        if behavior.hitsMaxTokens { limit = min(limit ?? Self.maxTokensWords, Self.maxTokensWords) }
        let reply = ReplyText("You said: " + input.lastUserText, limit: limit)
        // Whitespace is normalised so that the streamed pieces add up to exactly the buffered text.
        append(.text(WordText.words(reply.content).joined(separator: " ")))
        if behavior.hitsMaxTokens || reply.finishReason == "length" {
            stopReason = .maxTokens
        } else if behavior.hitsStopSequence {
            stopReason = .stopSequence
            stopSequence = input.stopSequences.first ?? Self.defaultStopSequence
        }
    }

    private mutating func append(_ block: Block) {
        blocks.append(block)
        switch block {
        case .thinking(let text, _), .text(let text): outputTokens += WordText.count(text)
        case .toolUse: outputTokens += 3
        }
    }

    /// `text` split into stream pieces: each word with its trailing space, the last one without.
    static func wordPieces(_ text: String) -> [String] {
        ReplyText(text, limit: nil).pieces
    }
}
