import GatewayCore
import GatewaySchema

/// OpenAI chat request → Anthropic Messages request. Pure.
///
/// - System and developer messages become the `system` blocks, in order.
/// - Assistant `tool_calls` become `tool_use` blocks; `tool` messages become `tool_result` blocks, and
///   consecutive turns of the same role are merged (so consecutive tool results form one user turn).
/// - Image parts: base64 data URLs and http(s) URLs; PDF file parts become `document` blocks.
/// - `response_format` (JSON schema or JSON object) is served with a forced tool whose input is the answer;
///   the response translation turns that tool call back into message content.
/// - `reasoning_effort` enables extended thinking on models that have it.
public enum AnthropicRequest {
    /// The tool that carries a `response_format` answer.
    public static let jsonToolName = "json_response"

    /// What the response translation needs to know about the request.
    public struct Context: Sendable, Equatable {
        /// The request asked for JSON output through the forced tool.
        public var jsonMode: Bool
        public init(jsonMode: Bool) { self.jsonMode = jsonMode }
    }

    public static func translate(
        _ body: JSONObject, model: String, defaultMaxTokens: Int, stream: Bool
    ) throws -> (body: JSONObject, context: Context) {
        if let n = body["n"]?.intValue, n != 1 {
            throw ProviderError(.badRequest, message: "anthropic models return one choice; n must be 1")
        }
        if body["logprobs"]?.boolValue == true {
            throw ProviderError(.badRequest, message: "anthropic models do not return logprobs")
        }
        var out: JSONObject = ["model": .string(model)]
        let (system, messages) = try translateMessages(body["messages"]?.arrayValue ?? [])
        if !system.isEmpty { out["system"] = .array(system) }
        out["messages"] = .array(messages)

        let requestedMax = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
        var maxTokens = requestedMax ?? defaultMaxTokens
        let thinkingBudget = thinkingBudget(effort: body["reasoning_effort"]?.stringValue, model: model)
        var thinking = false
        if let budget = thinkingBudget {
            // Anthropic wants 1024 <= budget < max_tokens; without a client limit, make room for the answer.
            if requestedMax == nil { maxTokens = max(maxTokens, budget + defaultMaxTokens) }
            let fitted = min(budget, maxTokens - 1)
            if fitted >= 1024 {
                out["thinking"] = ["type": "enabled", "budget_tokens": .number(JSONNumber(fitted))]
                thinking = true
            }
        }
        out["max_tokens"] = .number(JSONNumber(maxTokens))
        if let stop = body["stop"] {
            switch stop {
            case .string(let text): out["stop_sequences"] = [.string(text)]
            case .array(let items): out["stop_sequences"] = .array(items.filter { $0.stringValue != nil })
            default: break
            }
        }
        // Extended thinking does not accept sampling changes.
        if !thinking {
            if let value = body["temperature"], !value.isNull { out["temperature"] = value }
            if let value = body["top_p"], !value.isNull { out["top_p"] = value }
        }
        if let user = body["user"]?.stringValue ?? body["safety_identifier"]?.stringValue {
            out["metadata"] = ["user_id": .string(user)]
        }

        var tools = try translateTools(body["tools"]?.arrayValue ?? [])
        var toolChoice = try translateToolChoice(body["tool_choice"])
        let jsonSchema = jsonSchema(body["response_format"])
        if let schema = jsonSchema {
            tools.append(
                [
                    "name": .string(jsonToolName),
                    "description": "Respond with the answer as this tool's input, following its schema.",
                    "input_schema": schema,
                ])
            // A forced tool is not allowed with extended thinking, and would block the client's own tools.
            if toolChoice == nil {
                if thinking {
                    toolChoice = ["type": "auto"]
                } else if tools.count > 1 {
                    toolChoice = ["type": "any"]
                } else {
                    toolChoice = ["type": "tool", "name": .string(jsonToolName)]
                }
            }
        }
        if body["parallel_tool_calls"]?.boolValue == false, !tools.isEmpty {
            var choice = toolChoice?.objectValue ?? ["type": "auto"]
            if choice["type"]?.stringValue != "none" { choice["disable_parallel_tool_use"] = true }
            toolChoice = .object(choice)
        }
        if !tools.isEmpty {
            out["tools"] = .array(tools.map(JSONValue.object))
            if let toolChoice { out["tool_choice"] = toolChoice }
        }
        if stream { out["stream"] = true }
        return (out, Context(jsonMode: jsonSchema != nil))
    }

    /// `system` blocks and alternating user/assistant turns.
    static func translateMessages(_ messages: [JSONValue]) throws -> (system: [JSONValue], turns: [JSONValue]) {
        var system: [JSONValue] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func append(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for (position, message) in messages.enumerated() {
            let role = message["role"]?.stringValue ?? ""
            switch role {
            case "system", "developer":
                for block in try contentBlocks(message["content"], position: position) {
                    guard block["type"]?.stringValue == "text" else {
                        throw ProviderError(
                            .badRequest, message: "messages[\(position)]: a \(role) message may only contain text")
                    }
                    system.append(block)
                }
            case "user":
                append("user", try contentBlocks(message["content"], position: position))
            case "assistant":
                var blocks = try contentBlocks(message["content"], position: position).filter {
                    // Anthropic rejects empty text blocks.
                    $0["type"]?.stringValue != "text" || !($0["text"]?.stringValue ?? "").isEmpty
                }
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    let id = call["id"]?.stringValue ?? ""
                    guard let name = call["function"]?["name"]?.stringValue else {
                        throw ProviderError(
                            .badRequest, message: "messages[\(position)]: a tool call has no function name")
                    }
                    blocks.append(
                        [
                            "type": "tool_use", "id": .string(id), "name": .string(name),
                            "input": try ToolArguments.object(call["function"]?["arguments"], toolCallID: id),
                        ])
                }
                append("assistant", blocks)
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue else {
                    throw ProviderError(
                        .badRequest, message: "messages[\(position)]: a tool message needs tool_call_id")
                }
                var result: JSONObject = ["type": "tool_result", "tool_use_id": .string(id)]
                switch message["content"] {
                case .string(let text)?: result["content"] = .string(text)
                case .array?:
                    result["content"] = .array(try contentBlocks(message["content"], position: position))
                default: result["content"] = ""
                }
                append("user", [.object(result)])
            default:
                throw ProviderError(
                    .badRequest, message: "messages[\(position)]: role '\(role)' is not supported by anthropic models")
            }
        }
        return (system, turns.map { ["role": .string($0.role), "content": .array($0.blocks)] })
    }

    /// The content blocks of a message's `content` (a string or an array of parts).
    static func contentBlocks(_ content: JSONValue?, position: Int) throws -> [JSONValue] {
        switch content {
        case nil, .null?: return []
        case .string(let text)?: return text.isEmpty ? [] : [["type": "text", "text": .string(text)]]
        case .array(let parts)?:
            return try parts.map { part in try contentBlock(part, position: position) }
        default:
            throw ProviderError(.badRequest, message: "messages[\(position)].content must be a string or an array")
        }
    }

    static func contentBlock(_ part: JSONValue, position: Int) throws -> JSONValue {
        let type = part["type"]?.stringValue ?? ""
        var block: JSONObject
        switch type {
        case "text":
            block = ["type": "text", "text": part["text"] ?? ""]
        case "image_url":
            guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                throw ProviderError(.badRequest, message: "messages[\(position)]: an image part has no url")
            }
            block = ["type": "image", "source": try imageSource(url, position: position)]
        case "file":
            guard let data = part["file"]?["file_data"]?.stringValue, let parsed = DataURL(data) else {
                throw ProviderError(
                    .badRequest,
                    message: "messages[\(position)]: anthropic models take files as inline base64 data (file_data)")
            }
            block = [
                "type": "document",
                "source": ["type": "base64", "media_type": .string(parsed.mediaType), "data": .string(parsed.base64)],
            ]
        default:
            throw ProviderError(
                .badRequest,
                message: "messages[\(position)]: content part '\(type)' is not supported by anthropic models"
            )
        }
        // Prompt caching hints pass through.
        if let cacheControl = part["cache_control"] { block["cache_control"] = cacheControl }
        return .object(block)
    }

    static func imageSource(_ url: String, position: Int) throws -> JSONValue {
        if let data = DataURL(url) {
            return ["type": "base64", "media_type": .string(data.mediaType), "data": .string(data.base64)]
        }
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ProviderError(
                .badRequest, message: "messages[\(position)]: an image url must be http(s) or a base64 data URL")
        }
        return ["type": "url", "url": .string(url)]
    }

    static func translateTools(_ tools: [JSONValue]) throws -> [JSONObject] {
        try tools.enumerated().map { index, tool in
            guard tool["type"]?.stringValue == "function", let function = tool["function"],
                let name = function["name"]?.stringValue
            else {
                throw ProviderError(
                    .badRequest, message: "tools[\(index)]: only function tools are supported by anthropic models")
            }
            var out: JSONObject = ["name": .string(name)]
            if let description = function["description"]?.stringValue { out["description"] = .string(description) }
            out["input_schema"] = function["parameters"] ?? ["type": "object", "properties": [:]]
            return out
        }
    }

    static func translateToolChoice(_ choice: JSONValue?) throws -> JSONValue? {
        switch choice {
        case nil, .null?: return nil
        case .string("auto")?: return ["type": "auto"]
        case .string("none")?: return ["type": "none"]
        case .string("required")?: return ["type": "any"]
        case .object(let object)?:
            if let name = object["function"]?["name"]?.stringValue { return ["type": "tool", "name": .string(name)] }
            throw ProviderError(.badRequest, message: "tool_choice must name a function")
        default:
            throw ProviderError(.badRequest, message: "tool_choice must be auto, none, required or a function")
        }
    }

    /// The schema a `response_format` asks for, or nil for plain text.
    static func jsonSchema(_ format: JSONValue?) -> JSONValue? {
        switch format?["type"]?.stringValue {
        case "json_schema": return format?["json_schema"]?["schema"] ?? ["type": "object"]
        case "json_object": return ["type": "object"]
        default: return nil
        }
    }

    /// Thinking budget for an OpenAI `reasoning_effort`, on models with extended thinking.
    static func thinkingBudget(effort: String?, model: String) -> Int? {
        guard let effort, supportsThinking(model) else { return nil }
        switch effort {
        case "minimal", "low": return 1024
        case "medium": return 4096
        case "high": return 16384
        default: return nil
        }
    }

    /// Claude 3.7 and every Claude 4 model have extended thinking.
    public static func supportsThinking(_ model: String) -> Bool {
        let name = model.lowercased()
        return name.contains("claude-3-7") || name.contains("claude-sonnet-4") || name.contains("claude-opus-4")
            || name.contains("claude-haiku-4") || name.contains("claude-4")
    }
}
