import GatewayCore
import GatewaySchema

/// Builders for the OpenAI chat shapes that translated providers produce (`chat.completion` and
/// `chat.completion.chunk`). The router overwrites `id`, `created` and `model` with the gateway's own.
public enum ChatShapes {
    /// A `chat.completion` with one choice.
    public static func completion(message: JSONObject, finishReason: String, usage: Usage?) -> JSONObject {
        var out: JSONObject = [
            "id": "", "object": "chat.completion", "created": 0, "model": "",
            "choices": [
                [
                    "index": 0, "message": .object(message), "logprobs": .null,
                    "finish_reason": .string(finishReason),
                ]
            ],
        ]
        if let usage { out["usage"] = usage.json }
        return out
    }

    /// An assistant message: `content` (null when there is none), `refusal`, `tool_calls` when any, and
    /// `reasoning_content` (the provider's visible reasoning, a field OpenAI clients ignore) when any.
    public static func assistantMessage(text: String?, toolCalls: [JSONValue], reasoning: String?) -> JSONObject {
        var message: JSONObject = [
            "role": "assistant", "content": text.map(JSONValue.string) ?? .null, "refusal": .null,
        ]
        if !toolCalls.isEmpty { message["tool_calls"] = .array(toolCalls) }
        if let reasoning, !reasoning.isEmpty { message["reasoning_content"] = .string(reasoning) }
        return message
    }

    /// One entry of `message.tool_calls`.
    public static func toolCall(id: String, name: String, arguments: String) -> JSONValue {
        ["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]]
    }

    /// A `chat.completion.chunk` with one choice carrying `delta`.
    public static func chunk(delta: JSONObject, finishReason: String? = nil) -> JSONObject {
        [
            "id": "", "object": "chat.completion.chunk", "created": 0, "model": "",
            "choices": [
                [
                    "index": 0, "delta": .object(delta), "logprobs": .null,
                    "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                ]
            ],
        ]
    }

    /// The final usage chunk: `choices: []` and `usage`.
    public static func usageChunk(_ usage: Usage) -> JSONObject {
        ["id": "", "object": "chat.completion.chunk", "created": 0, "model": "", "choices": [], "usage": usage.json]
    }

    /// A streamed tool-call delta. The first delta of a call carries its `id`, `type` and `name`.
    public static func toolCallDelta(index: Int, id: String?, name: String?, arguments: String) -> JSONObject {
        var function: JSONObject = [:]
        if let name { function["name"] = .string(name) }
        function["arguments"] = .string(arguments)
        var call: JSONObject = ["index": .number(JSONNumber(index))]
        if let id {
            call["id"] = .string(id)
            call["type"] = "function"
        }
        call["function"] = .object(function)
        return ["tool_calls": [.object(call)]]
    }
}
