import GatewayCore
import GatewaySchema

/// An OpenAI chat request's messages, tools and tool choice in a provider-neutral form, for providers whose
/// APIs are built from content blocks (Anthropic, Bedrock): system and developer texts in order, then
/// alternating user and assistant turns. Assistant `tool_calls` become tool-use blocks and `tool` messages
/// tool-result blocks in a user turn; consecutive turns of one role are merged, so consecutive tool results
/// form one user turn. Pure; unsupported input is a `badRequest` naming the message.
public struct ChatTranscript: Sendable, Equatable {
    public enum ImageSource: Sendable, Equatable {
        case data(DataURL)
        case url(String)
    }

    public indirect enum Block: Sendable, Equatable {
        /// Text, with the client's prompt-caching hint when it gave one.
        case text(String, cacheControl: JSONValue?)
        case image(ImageSource)
        /// A file part sent inline (PDF and other documents).
        case document(DataURL, name: String?)
        case toolUse(id: String, name: String, input: JSONValue)
        case toolResult(id: String, content: [Block])
    }

    public enum Role: String, Sendable, Equatable {
        case user
        case assistant
    }

    public struct Turn: Sendable, Equatable {
        public var role: Role
        public var blocks: [Block]
    }

    public struct Tool: Sendable, Equatable {
        public var name: String
        public var description: String?
        /// JSON schema of the arguments (an empty object schema when the client gave none).
        public var parameters: JSONValue
    }

    public enum ToolChoice: Sendable, Equatable {
        case auto
        case none
        case required
        case named(String)
    }

    public var system: [Block] = []
    public var turns: [Turn] = []
    public var tools: [Tool] = []
    public var toolChoice: ToolChoice?
    /// `parallel_tool_calls: false`.
    public var parallelToolCallsDisabled = false

    /// Reads `messages`, `tools`, `tool_choice` and `parallel_tool_calls`; `provider` names the provider in
    /// error messages.
    public init(_ body: JSONObject, provider: String) throws {
        for (position, message) in (body["messages"]?.arrayValue ?? []).enumerated() {
            try add(message, position: position, provider: provider)
        }
        tools = try Self.tools(body["tools"]?.arrayValue ?? [], provider: provider)
        toolChoice = try Self.toolChoice(body["tool_choice"])
        parallelToolCallsDisabled = body["parallel_tool_calls"]?.boolValue == false
    }

    /// Whether any turn uses or answers a tool.
    public var hasToolHistory: Bool {
        turns.contains { turn in
            turn.blocks.contains {
                switch $0 {
                case .toolUse, .toolResult: return true
                default: return false
                }
            }
        }
    }

    mutating func append(_ role: Role, _ blocks: [Block]) {
        guard !blocks.isEmpty else { return }
        if let last = turns.last, last.role == role {
            turns[turns.count - 1].blocks += blocks
        } else {
            turns.append(Turn(role: role, blocks: blocks))
        }
    }

    mutating func add(_ message: JSONValue, position: Int, provider: String) throws {
        let role = message["role"]?.stringValue ?? ""
        switch role {
        case "system", "developer":
            for block in try Self.blocks(message["content"], position: position, provider: provider) {
                guard case .text = block else {
                    throw ProviderError(
                        .badRequest, message: "messages[\(position)]: a \(role) message may only contain text")
                }
                system.append(block)
            }
        case "user":
            append(.user, try Self.blocks(message["content"], position: position, provider: provider))
        case "assistant":
            var blocks = try Self.blocks(message["content"], position: position, provider: provider).filter {
                if case .text(let text, _) = $0 { return !text.isEmpty }  // empty text blocks are rejected upstream
                return true
            }
            for call in message["tool_calls"]?.arrayValue ?? [] {
                let id = call["id"]?.stringValue ?? ""
                guard let name = call["function"]?["name"]?.stringValue else {
                    throw ProviderError(.badRequest, message: "messages[\(position)]: a tool call has no function name")
                }
                let input = try ToolArguments.object(call["function"]?["arguments"], toolCallID: id)
                blocks.append(.toolUse(id: id, name: name, input: input))
            }
            append(.assistant, blocks)
        case "tool":
            guard let id = message["tool_call_id"]?.stringValue else {
                throw ProviderError(.badRequest, message: "messages[\(position)]: a tool message needs tool_call_id")
            }
            let content = try Self.blocks(message["content"], position: position, provider: provider)
            append(.user, [.toolResult(id: id, content: content)])
        default:
            throw ProviderError(
                .badRequest, message: "messages[\(position)]: role '\(role)' is not supported by \(provider) models")
        }
    }

    /// The blocks of a message's `content` (a string or an array of parts).
    static func blocks(_ content: JSONValue?, position: Int, provider: String) throws -> [Block] {
        switch content {
        case nil, .null?: return []
        case .string(let text)?: return text.isEmpty ? [] : [.text(text, cacheControl: nil)]
        case .array(let parts)?: return try parts.map { try block($0, position: position, provider: provider) }
        default:
            throw ProviderError(.badRequest, message: "messages[\(position)].content must be a string or an array")
        }
    }

    static func block(_ part: JSONValue, position: Int, provider: String) throws -> Block {
        let type = part["type"]?.stringValue ?? ""
        switch type {
        case "text":
            return .text(part["text"]?.stringValue ?? "", cacheControl: part["cache_control"])
        case "image_url":
            guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                throw ProviderError(.badRequest, message: "messages[\(position)]: an image part has no url")
            }
            if let data = DataURL(url) { return .image(.data(data)) }
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ProviderError(
                    .badRequest, message: "messages[\(position)]: an image url must be http(s) or a base64 data URL")
            }
            return .image(.url(url))
        case "file":
            guard let data = part["file"]?["file_data"]?.stringValue, let parsed = DataURL(data) else {
                throw ProviderError(
                    .badRequest,
                    message: "messages[\(position)]: \(provider) models take files as inline base64 data (file_data)")
            }
            return .document(parsed, name: part["file"]?["filename"]?.stringValue)
        default:
            throw ProviderError(
                .badRequest,
                message: "messages[\(position)]: content part '\(type)' is not supported by \(provider) models")
        }
    }

    static func tools(_ tools: [JSONValue], provider: String) throws -> [Tool] {
        try tools.enumerated().map { index, tool in
            guard tool["type"]?.stringValue == "function", let function = tool["function"],
                let name = function["name"]?.stringValue
            else {
                throw ProviderError(
                    .badRequest, message: "tools[\(index)]: only function tools are supported by \(provider) models")
            }
            return Tool(
                name: name, description: function["description"]?.stringValue,
                parameters: function["parameters"] ?? ["type": "object", "properties": [:]])
        }
    }

    static func toolChoice(_ choice: JSONValue?) throws -> ToolChoice? {
        switch choice {
        case nil, .null?: return nil
        case .string("auto")?: return .auto
        case .string("none")?: return ToolChoice.none
        case .string("required")?: return .required
        case .object(let object)?:
            if let name = object["function"]?["name"]?.stringValue { return .named(name) }
            throw ProviderError(.badRequest, message: "tool_choice must name a function")
        default:
            throw ProviderError(.badRequest, message: "tool_choice must be auto, none, required or a function")
        }
    }
}
