import GatewayCore
import GatewaySchema

/// OpenAI chat request → Bedrock Converse request (the body of `POST /model/{modelId}/converse` and
/// `converse-stream`; the model id goes in the path). Pure.
///
/// Works for every Converse model (Amazon Nova, Anthropic Claude, Llama, Mistral…). Images and documents must
/// be inline (base64 data URLs): Converse cannot fetch URLs. A history with tool calls always comes with a tool
/// configuration, as Converse requires (a placeholder tool when the request offers none). `reasoning_effort` enables Claude's extended
/// thinking through `additionalModelRequestFields`.
public enum BedrockRequest {
    public struct Context: Sendable, Equatable {
        public var jsonMode: Bool
        public init(jsonMode: Bool) { self.jsonMode = jsonMode }
    }

    public static func translate(
        _ body: JSONObject, model: String, defaultMaxTokens: Int
    ) throws -> (body: JSONObject, context: Context) {
        let options = try ChatOptions(body, provider: "bedrock")
        let transcript = try ChatTranscript(body, provider: "bedrock")
        var out: JSONObject = [:]
        out["messages"] = .array(
            try transcript.turns.map { turn in
                ["role": .string(turn.role.rawValue), "content": .array(try turn.blocks.map(block))]
            })
        if !transcript.system.isEmpty { out["system"] = .array(try transcript.system.map(block)) }

        let isClaude = model.lowercased().contains("anthropic.claude")
        let limits = options.claudeLimits(
            defaultMaxTokens: defaultMaxTokens,
            thinkingAllowed: isClaude && AnthropicRequest.supportsThinking(model))
        var inference: JSONObject = [:]
        // Converse needs no limit; Claude models want one, so the default is sent like for Anthropic.
        if let maxTokens = isClaude ? limits.maxTokens : options.maxTokens {
            inference["maxTokens"] = .number(JSONNumber(maxTokens))
        }
        if limits.thinking == nil {
            if let value = options.temperature { inference["temperature"] = value }
            if let value = options.topP { inference["topP"] = value }
        }
        if !options.stopSequences.isEmpty {
            inference["stopSequences"] = .array(options.stopSequences.map(JSONValue.string))
        }
        if !inference.isEmpty { out["inferenceConfig"] = .object(inference) }
        if let budget = limits.thinking {
            out["additionalModelRequestFields"] = [
                "thinking": ["type": "enabled", "budget_tokens": .number(JSONNumber(budget))]
            ]
        }

        var tools: [JSONValue] = transcript.tools.map { tool in
            spec(name: tool.name, description: tool.description, schema: tool.parameters)
        }
        var choice: JSONValue? = transcript.toolChoice.flatMap(toolChoice)
        if let schema = options.jsonSchema {
            tools.append(spec(name: JSONModeTool.name, description: JSONModeTool.description, schema: schema))
            if transcript.toolChoice == nil {
                if limits.thinking != nil {
                    choice = ["auto": [:]]
                } else if tools.count > 1 {
                    choice = ["any": [:]]
                } else {
                    choice = ["tool": ["name": .string(JSONModeTool.name)]]
                }
            }
        }
        // `tool_choice: none` has no Converse spelling: the tools are left out, unless the history uses them
        // (Converse then requires the tool configuration).
        let toolsOff = transcript.toolChoice == ChatTranscript.ToolChoice.none && options.jsonSchema == nil
        if !tools.isEmpty && (!toolsOff || transcript.hasToolHistory) {
            var config: JSONObject = ["tools": .array(tools)]
            if let choice { config["toolChoice"] = choice }
            out["toolConfig"] = .object(config)
        } else if transcript.hasToolHistory {
            // Converse refuses toolUse / toolResult blocks in a request without a tool configuration ("The
            // toolConfig field must be defined…"), and clients send such requests once they are done with their
            // tools: a placeholder tool makes the request valid.
            out["toolConfig"] = [
                "tools": [spec(name: placeholderTool, description: placeholderDescription, schema: ["type": "object"])]
            ]
        }
        return (out, Context(jsonMode: options.jsonSchema != nil))
    }

    /// The tool offered when the history has tool calls but the request offers no tools.
    static let placeholderTool = "no_tools_available"
    static let placeholderDescription = "No tools are available for this turn. Never call this tool."

    static func spec(name: String, description: String?, schema: JSONValue) -> JSONValue {
        var spec: JSONObject = ["name": .string(name)]
        if let description { spec["description"] = .string(description) }
        spec["inputSchema"] = ["json": schema]
        return ["toolSpec": .object(spec)]
    }

    static func toolChoice(_ choice: ChatTranscript.ToolChoice) -> JSONValue? {
        switch choice {
        case .auto: return ["auto": [:]]
        case .none: return nil
        case .required: return ["any": [:]]
        case .named(let name): return ["tool": ["name": .string(name)]]
        }
    }

    static func block(_ block: ChatTranscript.Block) throws -> JSONValue {
        switch block {
        case .text(let text, _):
            return ["text": .string(text)]
        case .image(.data(let data)):
            guard let format = imageFormat(data.mediaType) else {
                throw ProviderError(
                    .badRequest, message: "bedrock models take png, jpeg, gif or webp images, not \(data.mediaType)")
            }
            return ["image": ["format": .string(format), "source": ["bytes": .string(data.base64)]]]
        case .image(.url):
            throw ProviderError(
                .badRequest, message: "bedrock models take images as base64 data URLs, not as http(s) URLs")
        case .document(let data, let name):
            guard let format = documentFormat(data.mediaType) else {
                throw ProviderError(.badRequest, message: "bedrock models do not take \(data.mediaType) documents")
            }
            return [
                "document": [
                    "format": .string(format), "name": .string(documentName(name)),
                    "source": ["bytes": .string(data.base64)],
                ]
            ]
        case .toolUse(let id, let name, let input):
            return ["toolUse": ["toolUseId": .string(id), "name": .string(name), "input": input]]
        case .toolResult(let id, let content):
            let parts = try content.map { block -> JSONValue in
                // Inside a tool result, only text, images and documents are allowed.
                if case .toolUse = block {
                    throw ProviderError(.badRequest, message: "a tool result holds a tool call")
                }
                return try Self.block(block)
            }
            return [
                "toolResult": ["toolUseId": .string(id), "content": .array(parts.isEmpty ? [["text": ""]] : parts)]
            ]
        }
    }

    static func imageFormat(_ mediaType: String) -> String? {
        switch mediaType {
        case "image/png": return "png"
        case "image/jpeg", "image/jpg": return "jpeg"
        case "image/gif": return "gif"
        case "image/webp": return "webp"
        default: return nil
        }
    }

    static func documentFormat(_ mediaType: String) -> String? {
        switch mediaType {
        case "application/pdf": return "pdf"
        case "text/csv": return "csv"
        case "application/msword": return "doc"
        case "application/vnd.openxmlformats-officedocument.wordprocessingml.document": return "docx"
        case "application/vnd.ms-excel": return "xls"
        case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": return "xlsx"
        case "text/html": return "html"
        case "text/plain": return "txt"
        case "text/markdown": return "md"
        default: return nil
        }
    }

    /// Converse allows letters, digits, single spaces, hyphens, parentheses and brackets in document names.
    static func documentName(_ filename: String?) -> String {
        let base = (filename ?? "document").split(separator: ".").first.map(String.init) ?? "document"
        let cleaned = String(
            base.map { character -> Character in
                character.isLetter || character.isNumber || "-()[]".contains(character) ? character : " "
            })
        let collapsed = cleaned.split(separator: " ").joined(separator: " ")
        return collapsed.isEmpty ? "document" : String(collapsed.prefix(200))
    }
}
