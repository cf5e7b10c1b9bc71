import GatewaySchema

/// The chat messages a `response` object adds to a conversation, for `previous_response_id`: its message
/// items' text as one assistant message, with its function calls as `tool_calls` (reasoning is not carried:
/// no provider takes it back). Pure.
public enum ResponsesHistory {
    public static func assistantMessage(from response: JSONObject) -> JSONValue? {
        var text: String?
        var calls: [JSONValue] = []
        for item in response["output"]?.arrayValue ?? [] {
            switch item["type"]?.stringValue {
            case "message":
                for part in item["content"]?.arrayValue ?? [] where part["type"] == "output_text" {
                    text = (text ?? "") + (part["text"]?.stringValue ?? "")
                }
            case "function_call":
                calls.append(
                    [
                        "id": item["call_id"] ?? "", "type": "function",
                        "function": ["name": item["name"] ?? "", "arguments": item["arguments"] ?? "{}"],
                    ])
            default:
                continue
            }
        }
        guard text != nil || !calls.isEmpty else { return nil }
        var message: JSONObject = ["role": "assistant", "content": text.map(JSONValue.string) ?? .null]
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return .object(message)
    }

    /// The conversation to store with a response: the history it continued, its own input, and its answer.
    public static func conversation(
        history: [JSONValue], request: ResponsesRequest, response: JSONObject
    ) -> [JSONValue] {
        history + request.inputMessages + (assistantMessage(from: response).map { [$0] } ?? [])
    }
}
