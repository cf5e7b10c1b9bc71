import GatewayCore
import GatewaySchema

/// The built-in mock upstream: deterministic text streamed word by word, exact usage, no network. It serves the
/// default routes on a machine without provider keys, and users keep it for testing their applications offline.
///
/// Tokens are whitespace-separated words: `prompt_tokens` counts the words of every message's text plus 3 per
/// message; `completion_tokens` counts the words of the reply, which are exactly the streamed pieces.
public struct MockProvider: Provider {
    let streamDelay: Duration

    public init(streamDelayMilliseconds: Double) {
        self.streamDelay = .milliseconds(Int64(streamDelayMilliseconds))
    }

    /// The reply to a request: a fixed sentence that quotes the start of the last user message.
    public static func replyWords(for body: JSONObject, endpoint: ProviderEndpoint) -> [String] {
        let lastUser: String
        if endpoint == .completions {
            lastUser = body["prompt"]?.stringValue ?? body["prompt"]?.arrayValue?.first?.stringValue ?? ""
        } else {
            let messages = body["messages"]?.arrayValue ?? []
            let user = messages.last { $0["role"]?.stringValue == "user" }
            lastUser = CompletionsTranslation.contentText(user?["content"])
        }
        let quoted = lastUser.split(whereSeparator: \.isWhitespace).prefix(12).joined(separator: " ")
        let text =
            quoted.isEmpty
            ? "This is a mock response from Switchboard."
            : "This is a mock response from Switchboard to: \(quoted)"
        return text.split(separator: " ").map(String.init)
    }

    public static func promptTokens(for body: JSONObject, endpoint: ProviderEndpoint) -> Int {
        if endpoint == .completions {
            let prompt = body["prompt"]?.stringValue ?? ""
            return prompt.split(whereSeparator: \.isWhitespace).count
        }
        let messages = body["messages"]?.arrayValue ?? []
        return messages.reduce(0) { total, message in
            total + 3
                + CompletionsTranslation.contentText(message["content"]).split(whereSeparator: \.isWhitespace).count
        }
    }

    /// Honors `max_tokens` / `max_completion_tokens` by truncating the reply (finish reason `length`).
    static func limited(_ words: [String], body: JSONObject) -> (words: [String], finish: String) {
        let limit = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
        if let limit, limit >= 0, limit < words.count { return (Array(words.prefix(limit)), "length") }
        return (words, "stop")
    }

    /// A tool call to the first function when tools are offered and not disabled.
    static func toolCall(for body: JSONObject) -> (name: String, arguments: String)? {
        guard let tools = body["tools"]?.arrayValue, let first = tools.first,
            let name = first["function"]?["name"]?.stringValue
        else { return nil }
        if body["tool_choice"]?.stringValue == "none" { return nil }
        var arguments = JSONObject()
        let properties = first["function"]?["parameters"]?["properties"]?.objectValue ?? JSONObject()
        for key in first["function"]?["parameters"]?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            let type = properties[key]?["type"]?.stringValue
            arguments[key] = type == "number" || type == "integer" ? .number(JSONNumber(1)) : .string("mock")
        }
        return (name, JSONValue.object(arguments).jsonString)
    }

    public func send(_ call: ProviderCall) async throws -> ProviderResult {
        let prompt = Self.promptTokens(for: call.body, endpoint: call.endpoint)
        let n = max(1, min(call.body["n"]?.intValue ?? 1, 8))
        if call.endpoint == .chat, let tool = Self.toolCall(for: call.body) {
            let message: JSONValue = [
                "role": "assistant", "content": nil, "refusal": nil,
                "tool_calls": [
                    [
                        "id": "call_mock_0", "type": "function",
                        "function": ["name": .string(tool.name), "arguments": .string(tool.arguments)],
                    ]
                ],
            ]
            let usage = Usage(promptTokens: prompt, completionTokens: 1)
            let body: JSONObject = [
                "id": "mock", "object": "chat.completion", "created": 0, "model": .string(call.target.model),
                "choices": .array(
                    (0..<n).map { index in
                        [
                            "index": .number(JSONNumber(index)), "message": message, "logprobs": nil,
                            "finish_reason": "tool_calls",
                        ]
                    }),
                "usage": usage.json,
            ]
            return ProviderResult(body: body, usage: usage)
        }
        let (words, finish) = Self.limited(Self.replyWords(for: call.body, endpoint: call.endpoint), body: call.body)
        let text = JSONValue.string(words.joined(separator: " "))
        let usage = Usage(promptTokens: prompt, completionTokens: words.count * n)
        let choices: [JSONValue] = (0..<n).map { index in
            if call.endpoint == .completions {
                return [
                    "text": text, "index": .number(JSONNumber(index)), "logprobs": nil,
                    "finish_reason": .string(finish),
                ]
            }
            return [
                "index": .number(JSONNumber(index)),
                "message": ["role": "assistant", "content": text, "refusal": nil],
                "logprobs": nil, "finish_reason": .string(finish),
            ]
        }
        let body: JSONObject = [
            "id": "mock", "object": call.endpoint == .completions ? "text_completion" : "chat.completion",
            "created": 0, "model": .string(call.target.model), "choices": .array(choices), "usage": usage.json,
        ]
        return ProviderResult(body: body, usage: usage)
    }

    public func stream(_ call: ProviderCall) async throws -> StartedStream {
        let prompt = Self.promptTokens(for: call.body, endpoint: call.endpoint)
        let (words, finish) = Self.limited(Self.replyWords(for: call.body, endpoint: call.endpoint), body: call.body)
        let tool = call.endpoint == .chat ? Self.toolCall(for: call.body) : nil
        let delay = streamDelay
        let model = call.target.model
        let legacy = call.endpoint == .completions
        return try await StartedStream.start { yield, started in
            func chunk(_ choice: JSONValue) -> JSONObject {
                [
                    "id": "mock", "object": legacy ? "text_completion" : "chat.completion.chunk", "created": 0,
                    "model": .string(model), "choices": [choice],
                ]
            }
            func chatChoice(_ delta: JSONValue, finish: String? = nil) -> JSONValue {
                ["index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish.map(JSONValue.string) ?? nil]
            }
            if let tool {
                yield(chunk(chatChoice(["role": "assistant", "content": nil])))
                started()
                yield(
                    chunk(
                        chatChoice([
                            "tool_calls": [
                                [
                                    "index": 0, "id": "call_mock_0", "type": "function",
                                    "function": ["name": .string(tool.name), "arguments": ""],
                                ]
                            ]
                        ])))
                yield(
                    chunk(
                        chatChoice(["tool_calls": [["index": 0, "function": ["arguments": .string(tool.arguments)]]]])))
                yield(chunk(chatChoice([:], finish: "tool_calls")))
                var usageChunk = chunk(nil)
                usageChunk["choices"] = []
                usageChunk["usage"] = Usage(promptTokens: prompt, completionTokens: 1).json
                yield(usageChunk)
                return
            }
            if !legacy {
                yield(chunk(chatChoice(["role": "assistant", "content": ""])))
                started()
            }
            for (index, word) in words.enumerated() {
                if delay > .zero { try await Task.sleep(for: delay) }
                let piece = JSONValue.string(index + 1 < words.count ? word + " " : word)
                if legacy {
                    yield(chunk(["text": piece, "index": 0, "logprobs": nil, "finish_reason": nil]))
                } else {
                    yield(chunk(chatChoice(["content": piece])))
                }
                started()
            }
            if legacy {
                yield(chunk(["text": "", "index": 0, "logprobs": nil, "finish_reason": .string(finish)]))
            } else {
                yield(chunk(chatChoice([:], finish: finish)))
            }
            started()
            var usageChunk = chunk(nil)
            usageChunk["choices"] = []
            usageChunk["usage"] = Usage(promptTokens: prompt, completionTokens: words.count).json
            yield(usageChunk)
        }
    }
}
