import GatewayCore
import GatewaySchema

/// Builds Responses API `response` objects and their output items, and turns a buffered `chat.completion`
/// into a `response`. Pure apart from the random item ids.
public enum ResponsesResponse {
    /// How a response ended.
    public enum Outcome: Sendable, Equatable {
        case inProgress
        case completed
        /// `incomplete_details.reason`: `max_output_tokens` or `content_filter`.
        case incomplete(reason: String)
        /// `error: {code, message}`.
        case failed(code: String, message: String)

        /// The outcome of a chat `finish_reason`: `length` → incomplete (`max_output_tokens`),
        /// `content_filter` → incomplete (`content_filter`), anything else → completed.
        public init(finishReason: String?) {
            switch finishReason {
            case "length": self = .incomplete(reason: "max_output_tokens")
            case "content_filter": self = .incomplete(reason: "content_filter")
            default: self = .completed
            }
        }

        var status: String {
            switch self {
            case .inProgress: return "in_progress"
            case .completed: return "completed"
            case .incomplete: return "incomplete"
            case .failed: return "failed"
            }
        }

        /// The status of an output item that ended with this outcome.
        var itemStatus: String {
            self == .completed ? "completed" : "incomplete"
        }
    }

    /// A new response id: `resp_` and 40 base62 characters.
    public static func newID() -> String { "resp_" + RandomID.base62(40) }

    /// The `response` object: the gateway's id, `created_at`, the alias as `model`, the output items, the
    /// usage and the echoed request fields. `completed_at` is `completedAt` (else `createdAt`) when completed.
    public static func object(
        id: String, createdAt: Int, completedAt: Int? = nil, request: ResponsesRequest, outcome: Outcome,
        output: [JSONValue], usage: Usage?
    ) -> JSONObject {
        var object: JSONObject = [
            "id": .string(id), "object": "response", "created_at": .number(JSONNumber(createdAt)),
            "status": .string(outcome.status), "background": false,
        ]
        switch outcome {
        case .completed: object["completed_at"] = .number(JSONNumber(completedAt ?? createdAt))
        default: object["completed_at"] = .null
        }
        if case .failed(let code, let message) = outcome {
            object["error"] = ["code": .string(code), "message": .string(message)]
        } else {
            object["error"] = .null
        }
        if case .incomplete(let reason) = outcome {
            object["incomplete_details"] = ["reason": .string(reason)]
        } else {
            object["incomplete_details"] = .null
        }
        object["model"] = .string(request.model)
        object["output"] = .array(output)
        for (key, value) in request.echo where key != "metadata" {
            object[key] = value
        }
        // Unknown until the end: left out rather than null, as OpenAI's schema has it.
        if let usage { object["usage"] = Self.json(usage) }
        object["metadata"] = request.echo["metadata"] ?? [:]
        return object
    }

    /// A buffered `chat.completion` as a `response`.
    public static func from(
        completion: JSONObject, request: ResponsesRequest, id: String, createdAt: Int, completedAt: Int? = nil
    ) -> JSONObject {
        let choice = completion["choices"]?.arrayValue?.first
        let message = choice?["message"]
        let outcome = Outcome(finishReason: choice?["finish_reason"]?.stringValue)
        let itemStatus = outcome.itemStatus
        var output: [JSONValue] = []
        if let reasoning = message?["reasoning_content"]?.stringValue, !reasoning.isEmpty {
            output.append(reasoningItem(id: newItemID("rs"), text: reasoning))
        }
        let text = message?["content"]?.stringValue
        let refusal = message?["refusal"]?.stringValue
        let calls = message?["tool_calls"]?.arrayValue ?? []
        if text != nil || refusal != nil || calls.isEmpty {
            var parts: [JSONValue] = []
            if let refusal { parts.append(refusalPart(refusal)) }
            if text != nil || refusal == nil { parts.append(textPart(text ?? "")) }
            output.append(messageItem(id: newItemID("msg"), status: itemStatus, content: parts))
        }
        for call in calls {
            output.append(
                functionCallItem(
                    id: newItemID("fc"), callID: call["id"]?.stringValue ?? newItemID("call"),
                    name: call["function"]?["name"]?.stringValue ?? "",
                    arguments: call["function"]?["arguments"]?.stringValue ?? "", status: itemStatus))
        }
        return object(
            id: id, createdAt: createdAt, completedAt: completedAt, request: request, outcome: outcome,
            output: output, usage: Usage(completion["usage"]))
    }

    /// `ResponseUsage`: input, cached and cache-write, output and reasoning tokens, and the total.
    public static func json(_ usage: Usage) -> JSONValue {
        [
            "input_tokens": .number(JSONNumber(usage.promptTokens)),
            "input_tokens_details": [
                "cached_tokens": .number(JSONNumber(usage.cachedTokens ?? 0)),
                "cache_write_tokens": .number(JSONNumber(usage.cacheCreationTokens ?? 0)),
            ],
            "output_tokens": .number(JSONNumber(usage.completionTokens)),
            "output_tokens_details": ["reasoning_tokens": .number(JSONNumber(usage.reasoningTokens ?? 0))],
            "total_tokens": .number(JSONNumber(usage.totalTokens)),
        ]
    }

    /// An item id: the prefix (`msg`, `fc`, `rs`), `_` and 40 base62 characters.
    static func newItemID(_ prefix: String) -> String { prefix + "_" + RandomID.base62(40) }

    /// An assistant `message` output item.
    static func messageItem(id: String, status: String, content: [JSONValue]) -> JSONValue {
        [
            "id": .string(id), "type": "message", "status": .string(status), "role": "assistant",
            "content": .array(content),
        ]
    }

    /// An `output_text` content part (no annotations or logprobs: the chat translation has none).
    static func textPart(_ text: String) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": []]
    }

    /// A `refusal` content part.
    static func refusalPart(_ refusal: String) -> JSONValue {
        ["type": "refusal", "refusal": .string(refusal)]
    }

    /// A `function_call` output item; `callID` is the chat tool call id, which the client sends back with the
    /// `function_call_output`.
    static func functionCallItem(
        id: String, callID: String, name: String, arguments: String, status: String
    )
        -> JSONValue
    {
        [
            "id": .string(id), "type": "function_call", "status": .string(status), "arguments": .string(arguments),
            "call_id": .string(callID), "name": .string(name),
        ]
    }

    /// A `reasoning` item carrying the provider's visible reasoning as `reasoning_text` content (no summary:
    /// the providers give the reasoning itself, not a summary of it).
    static func reasoningItem(id: String, text: String) -> JSONValue {
        [
            "id": .string(id), "type": "reasoning", "summary": [],
            "content": [["type": "reasoning_text", "text": .string(text)]],
        ]
    }
}
