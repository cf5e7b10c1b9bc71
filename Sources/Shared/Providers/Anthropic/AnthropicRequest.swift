import GatewayCore
import GatewaySchema

/// OpenAI chat request → Anthropic Messages request. Pure.
///
/// - System and developer messages become the `system` blocks, in order; the turns come from
///   `ChatTranscript` (tool calls as `tool_use`, tool messages as merged `tool_result` blocks).
/// - Image parts: base64 data URLs and http(s) URLs; PDF file parts become `document` blocks.
/// - `response_format` is served with `JSONModeTool`.
/// - `reasoning_effort` enables extended thinking on models that have it (and drops sampling settings,
///   which thinking does not accept).
public enum AnthropicRequest {
    /// What the response translation needs to know about the request.
    public struct Context: Sendable, Equatable {
        /// The request asked for JSON output through the forced tool.
        public var jsonMode: Bool
        public init(jsonMode: Bool) { self.jsonMode = jsonMode }
    }

    public static func translate(
        _ body: JSONObject, model: String, defaultMaxTokens: Int, stream: Bool
    ) throws -> (body: JSONObject, context: Context) {
        let options = try ChatOptions(body, provider: "anthropic")
        let transcript = try ChatTranscript(body, provider: "anthropic")
        var out: JSONObject = ["model": .string(model)]
        if !transcript.system.isEmpty { out["system"] = .array(transcript.system.map(block)) }
        out["messages"] = .array(
            transcript.turns.map { ["role": .string($0.role.rawValue), "content": .array($0.blocks.map(block))] })

        let limits = options.claudeLimits(defaultMaxTokens: defaultMaxTokens, thinkingAllowed: supportsThinking(model))
        out["max_tokens"] = .number(JSONNumber(limits.maxTokens))
        if let budget = limits.thinking {
            out["thinking"] = ["type": "enabled", "budget_tokens": .number(JSONNumber(budget))]
        } else {
            if let value = options.temperature { out["temperature"] = value }
            if let value = options.topP { out["top_p"] = value }
        }
        if !options.stopSequences.isEmpty {
            out["stop_sequences"] = .array(options.stopSequences.map(JSONValue.string))
        }
        if let user = options.user { out["metadata"] = ["user_id": .string(user)] }

        var tools: [JSONValue] = transcript.tools.map { tool in
            var out: JSONObject = ["name": .string(tool.name)]
            if let description = tool.description { out["description"] = .string(description) }
            out["input_schema"] = tool.parameters
            return .object(out)
        }
        var choice: JSONObject? = transcript.toolChoice.map(toolChoice)
        if let schema = options.jsonSchema {
            tools.append(
                [
                    "name": .string(JSONModeTool.name), "description": .string(JSONModeTool.description),
                    "input_schema": schema,
                ])
            // A forced tool is not allowed with extended thinking, and would block the client's own tools.
            if choice == nil {
                if limits.thinking != nil {
                    choice = ["type": "auto"]
                } else if tools.count > 1 {
                    choice = ["type": "any"]
                } else {
                    choice = ["type": "tool", "name": .string(JSONModeTool.name)]
                }
            }
        }
        if transcript.parallelToolCallsDisabled, !tools.isEmpty {
            var disabled = choice ?? ["type": "auto"]
            if disabled["type"]?.stringValue != "none" { disabled["disable_parallel_tool_use"] = true }
            choice = disabled
        }
        if !tools.isEmpty {
            out["tools"] = .array(tools)
            if let choice { out["tool_choice"] = .object(choice) }
        }
        if stream { out["stream"] = true }
        return (out, Context(jsonMode: options.jsonSchema != nil))
    }

    static func toolChoice(_ choice: ChatTranscript.ToolChoice) -> JSONObject {
        switch choice {
        case .auto: return ["type": "auto"]
        case .none: return ["type": "none"]
        case .required: return ["type": "any"]
        case .named(let name): return ["type": "tool", "name": .string(name)]
        }
    }

    static func block(_ block: ChatTranscript.Block) -> JSONValue {
        switch block {
        case .text(let text, let cacheControl):
            var out: JSONObject = ["type": "text", "text": .string(text)]
            if let cacheControl { out["cache_control"] = cacheControl }  // prompt caching hints pass through
            return .object(out)
        case .image(.data(let data)):
            return [
                "type": "image",
                "source": [
                    "type": "base64", "media_type": .string(imageMediaType(data.mediaType)),
                    "data": .string(data.base64),
                ],
            ]
        case .image(.url(let url)):
            return ["type": "image", "source": ["type": "url", "url": .string(url)]]
        case .document(let data, _):
            return [
                "type": "document",
                "source": ["type": "base64", "media_type": .string(data.mediaType), "data": .string(data.base64)],
            ]
        case .toolUse(let id, let name, let input):
            return ["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]
        case .toolResult(let id, let content):
            // A plain-text result stays a string, as clients usually send it.
            if content.count == 1, case .text(let text, nil) = content[0] {
                return ["type": "tool_result", "tool_use_id": .string(id), "content": .string(text)]
            }
            return ["type": "tool_result", "tool_use_id": .string(id), "content": .array(content.map(Self.block))]
        }
    }

    /// The media type Anthropic accepts for an image: it knows `image/jpeg` only, while clients often write the
    /// common misspelling `image/jpg` in data URLs.
    static func imageMediaType(_ mediaType: String) -> String {
        mediaType == "image/jpg" ? "image/jpeg" : mediaType
    }

    /// Claude 3.7 and every Claude 4 model have extended thinking.
    public static func supportsThinking(_ model: String) -> Bool {
        let name = model.lowercased()
        return name.contains("claude-3-7") || name.contains("claude-sonnet-4") || name.contains("claude-opus-4")
            || name.contains("claude-haiku-4") || name.contains("claude-4")
    }
}
