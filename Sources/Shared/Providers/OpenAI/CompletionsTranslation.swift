import GatewayCore
import GatewaySchema

/// Translation between the chat and the legacy completions endpoints, for targets whose model only speaks one
/// of them. Pure: JSON in, JSON out.
public enum CompletionsTranslation {
    /// Fields with the same meaning on both endpoints.
    static let sharedFields = [
        "max_tokens", "temperature", "top_p", "n", "stop", "presence_penalty", "frequency_penalty", "logit_bias",
        "seed", "user", "stream", "stream_options", "suffix", "echo", "best_of",
    ]

    /// The request for `to`, from a client request made to `from`.
    public static func request(_ body: JSONObject, from: ProviderEndpoint, to: ProviderEndpoint) throws -> JSONObject {
        if from == to { return body }
        switch (from, to) {
        case (.chat, .completions): return try chatToCompletions(body)
        case (.completions, .chat): return try completionsToChat(body)
        default: return body
        }
    }

    static func chatToCompletions(_ body: JSONObject) throws -> JSONObject {
        if let tools = body["tools"]?.arrayValue, !tools.isEmpty {
            throw ProviderError(
                .badRequest, message: "tools are not supported by a completions-only model (endpoint_mode completions)")
        }
        var out = JSONObject()
        out["model"] = body["model"]
        out["prompt"] = .string(prompt(from: body["messages"]?.arrayValue ?? []))
        for field in sharedFields { if let value = body[field] { out[field] = value } }
        if out["max_tokens"] == nil, let value = body["max_completion_tokens"] { out["max_tokens"] = value }
        if body["logprobs"]?.boolValue == true {
            out["logprobs"] = body["top_logprobs"] ?? .number(JSONNumber(1))
        }
        return out
    }

    /// A plain-text transcript ending with the assistant's turn.
    public static func prompt(from messages: [JSONValue]) -> String {
        var text = ""
        for message in messages {
            let role = message["role"]?.stringValue ?? "user"
            text += "\(role): \(contentText(message["content"]))\n"
        }
        return text + "assistant:"
    }

    /// The text of a message's content (a string, or the text parts of an array).
    public static func contentText(_ content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { part in
                part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil
            }.joined(separator: "\n")
        default: return ""
        }
    }

    static func completionsToChat(_ body: JSONObject) throws -> JSONObject {
        var out = JSONObject()
        out["model"] = body["model"]
        let prompt: String
        switch body["prompt"] {
        case .string(let text)?: prompt = text
        case .array(let items)? where items.count == 1 && items[0].stringValue != nil: prompt = items[0].stringValue!
        case nil: prompt = ""
        default:
            throw ProviderError(
                .badRequest, message: "only a single string prompt can be sent to a chat model (endpoint_mode chat)")
        }
        out["messages"] = [["role": "user", "content": .string(prompt)]]
        for field in sharedFields where !["suffix", "echo", "best_of"].contains(field) {
            if let value = body[field] { out[field] = value }
        }
        if let logprobs = body["logprobs"]?.intValue {
            out["logprobs"] = true
            out["top_logprobs"] = .number(JSONNumber(logprobs))
        }
        return out
    }

    /// The buffered response in the client's endpoint shape.
    public static func response(_ body: JSONObject, from: ProviderEndpoint, to: ProviderEndpoint) -> JSONObject {
        if from == to { return body }
        var out = body
        let choices = body["choices"]?.arrayValue ?? []
        switch (from, to) {
        case (.completions, .chat):
            out["object"] = "chat.completion"
            out["choices"] = .array(
                choices.enumerated().map { index, choice in
                    [
                        "index": choice["index"] ?? .number(JSONNumber(index)),
                        "message": ["role": "assistant", "content": choice["text"] ?? "", "refusal": nil],
                        "logprobs": nil,
                        "finish_reason": choice["finish_reason"] ?? "stop",
                    ]
                })
        case (.chat, .completions):
            out["object"] = "text_completion"
            out["choices"] = .array(
                choices.enumerated().map { index, choice in
                    [
                        "text": .string(contentText(choice["message"]?["content"])),
                        "index": choice["index"] ?? .number(JSONNumber(index)),
                        "logprobs": nil,
                        "finish_reason": choice["finish_reason"] ?? "stop",
                    ]
                })
        default: break
        }
        return out
    }

    /// Stream chunk translation; remembers which choices already got their `role` delta.
    public struct StreamTranslator: Sendable {
        let from: ProviderEndpoint
        let to: ProviderEndpoint
        var announced: Set<Int> = []

        public init(from: ProviderEndpoint, to: ProviderEndpoint) {
            self.from = from
            self.to = to
        }

        public mutating func translate(_ chunk: JSONObject) -> [JSONObject] {
            if from == to { return [chunk] }
            var out = chunk
            let choices = chunk["choices"]?.arrayValue ?? []
            switch (from, to) {
            case (.completions, .chat):
                out["object"] = "chat.completion.chunk"
                out["choices"] = .array(
                    choices.enumerated().map { offset, choice in
                        let index = choice["index"]?.intValue ?? offset
                        var delta = JSONObject()
                        if !announced.contains(index) {
                            announced.insert(index)
                            delta["role"] = "assistant"
                        }
                        if let text = choice["text"]?.stringValue, !text.isEmpty { delta["content"] = .string(text) }
                        return [
                            "index": .number(JSONNumber(index)), "delta": .object(delta), "logprobs": nil,
                            "finish_reason": choice["finish_reason"] ?? nil,
                        ]
                    })
            case (.chat, .completions):
                out["object"] = "text_completion"
                out["choices"] = .array(
                    choices.enumerated().map { offset, choice in
                        [
                            "text": .string(choice["delta"]?["content"]?.stringValue ?? ""),
                            "index": choice["index"] ?? .number(JSONNumber(offset)),
                            "logprobs": nil,
                            "finish_reason": choice["finish_reason"] ?? nil,
                        ]
                    })
            default: break
            }
            return [out]
        }
    }
}
