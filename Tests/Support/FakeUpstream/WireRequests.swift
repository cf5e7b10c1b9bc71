/// The few request fields the fake needs, decoded with `JSONDecoder`. Everything else is ignored.

struct StreamOptions: Decodable {
    var include_usage: Bool?
}

/// `content` of a chat message: a plain string, an array of content parts, or null.
struct MessageContent: Decodable {
    /// The text of the message (text parts joined with a space).
    var text: String

    private struct Part: Decodable {
        var type: String?
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            text = ""
        } else if let string = try? container.decode(String.self) {
            text = string
        } else {
            let parts = try container.decode([Part].self)
            text = parts.compactMap { $0.text }.joined(separator: " ")
        }
    }
}

struct ChatMessage: Decodable {
    var role: String
    var content: MessageContent?
}

struct ToolDefinition: Decodable {
    struct Function: Decodable {
        var name: String
    }
    var function: Function?
}

struct ChatCompletionRequest: Decodable {
    var model: String
    var messages: [ChatMessage]
    var stream: Bool?
    var stream_options: StreamOptions?
    var n: Int?
    var max_tokens: Int?
    var max_completion_tokens: Int?
    var tools: [ToolDefinition]?
}

/// `prompt` / `input`: a string, strings, a token array or token arrays.
struct TextOrTokens: Decodable {
    /// One text per input item; token arrays are rendered as their numbers separated by spaces.
    var items: [String]
    /// Token count per item (words for text, number of tokens for token arrays).
    var tokenCounts: [Int]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            items = [string]
            tokenCounts = [WordText.count(string)]
        } else if let strings = try? container.decode([String].self) {
            items = strings
            tokenCounts = strings.map(WordText.count)
        } else if let tokens = try? container.decode([Int].self) {
            items = [tokens.map(String.init).joined(separator: " ")]
            tokenCounts = [tokens.count]
        } else {
            let arrays = try container.decode([[Int]].self)
            items = arrays.map { $0.map(String.init).joined(separator: " ") }
            tokenCounts = arrays.map(\.count)
        }
    }
}

struct CompletionRequest: Decodable {
    var model: String
    var prompt: TextOrTokens?
    var stream: Bool?
    var stream_options: StreamOptions?
    var n: Int?
    var max_tokens: Int?
}

struct EmbeddingRequest: Decodable {
    var model: String
    var input: TextOrTokens
    var dimensions: Int?
    var encoding_format: String?
}
