/// The few fields of an Anthropic Messages request the fake needs; everything else is ignored.
struct AnthropicRequest: Decodable {
    var model: String
    var max_tokens: Int
    var messages: [AnthropicMessage]
    var system: AnthropicContent?
    var stream: Bool?
    var stop_sequences: [String]?
    var tools: [AnthropicTool]?
    var thinking: AnthropicThinking?

    /// The facts the reply is built from.
    var replyInput: ReplyInput {
        let lastUser = messages.last { $0.role == "user" }
        let words = messages.reduce(WordText.count(system?.text ?? "")) { $0 + WordText.count($1.content.text) }
        return ReplyInput(
            lastUserText: lastUser?.content.userText ?? "", inputTokens: words,
            toolNames: tools?.compactMap(\.name) ?? [], maxTokens: max_tokens, stopSequences: stop_sequences ?? [],
            wantsThinking: thinking.map { $0.type != "disabled" } ?? false)
    }
}

struct AnthropicMessage: Decodable {
    var role: String
    var content: AnthropicContent
}

struct AnthropicTool: Decodable {
    var name: String?
}

struct AnthropicThinking: Decodable {
    var type: String
}

/// `content` (or `system`): a string or an array of content blocks.
enum AnthropicContent: Decodable {
    case string(String)
    case blocks([Block])

    struct Block: Decodable {
        var type: String
        var text: String?
        /// `tool_result` content: a string or blocks.
        var content: AnthropicContent?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            self = .blocks(try container.decode([Block].self))
        }
    }

    /// All text, tool results included (for counting input words).
    var text: String {
        switch self {
        case .string(let string): string
        case .blocks(let blocks):
            blocks.map { block in
                block.type == "tool_result" ? (block.content?.text ?? "") : (block.text ?? "")
            }.joined(separator: " ")
        }
    }

    /// The text blocks only (what the user typed).
    var userText: String {
        switch self {
        case .string(let string): string
        case .blocks(let blocks): blocks.filter { $0.type == "text" }.compactMap(\.text).joined(separator: " ")
        }
    }
}
