import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct CompletionsTranslationTests {
    @Test func chatRequestBecomesAPromptWithSharedFields() throws {
        let chat = try JSONParser.parse(
            """
            {"model":"m","messages":[{"role":"system","content":"Be brief."},
             {"role":"user","content":[{"type":"text","text":"Hi"},{"type":"image_url","image_url":{"url":"x"}}]}],
             "max_completion_tokens":5,"temperature":0.2,"stop":["\\n"],"n":2,"seed":3,"logprobs":true,"top_logprobs":2,
             "stream":true,"stream_options":{"include_usage":true}}
            """
        ).objectValue!
        let legacy = try CompletionsTranslation.request(chat, from: .chat, to: .completions)
        #expect(legacy["prompt"] == "system: Be brief.\nuser: Hi\nassistant:")
        #expect(legacy["max_tokens"] == 5)
        #expect(legacy["temperature"] == 0.2)
        #expect(legacy["stop"] == ["\n"])
        #expect(legacy["n"] == 2)
        #expect(legacy["logprobs"] == 2)
        #expect(legacy["stream_options"] == ["include_usage": true])
        #expect(legacy["messages"] == nil)
    }

    @Test func toolsCannotGoToACompletionsModel() throws {
        let chat: JSONObject = [
            "model": "m", "messages": [["role": "user", "content": "x"]], "tools": [["type": "function"]],
        ]
        #expect(throws: ProviderError.self) { try CompletionsTranslation.request(chat, from: .chat, to: .completions) }
    }

    @Test func legacyPromptBecomesAUserMessage() throws {
        let legacy: JSONObject = ["model": "m", "prompt": "Say hi", "max_tokens": 3, "logprobs": 2, "echo": true]
        let chat = try CompletionsTranslation.request(legacy, from: .completions, to: .chat)
        #expect(chat["messages"] == [["role": "user", "content": "Say hi"]])
        #expect(chat["max_tokens"] == 3)
        #expect(chat["logprobs"] == true)
        #expect(chat["top_logprobs"] == 2)
        #expect(chat["echo"] == nil)
        let batch: JSONObject = ["model": "m", "prompt": ["a", "b"]]
        #expect(throws: ProviderError.self) { try CompletionsTranslation.request(batch, from: .completions, to: .chat) }
    }

    @Test func completionResponsesBecomeChatShape() throws {
        let upstream = try JSONParser.parse(
            """
            {"id":"cmpl-1","object":"text_completion","created":1,"model":"m",
             "choices":[{"text":"Hello","index":0,"logprobs":null,"finish_reason":"length"}],
             "usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
            """
        ).objectValue!
        let chat = CompletionsTranslation.response(upstream, from: .completions, to: .chat)
        #expect(chat["object"] == "chat.completion")
        #expect(chat["choices"]?.arrayValue?.first?["message"]?["content"] == "Hello")
        #expect(chat["choices"]?.arrayValue?.first?["finish_reason"] == "length")
        #expect(chat["usage"] == upstream["usage"])
        let back = CompletionsTranslation.response(chat, from: .chat, to: .completions)
        #expect(back["choices"]?.arrayValue?.first?["text"] == "Hello")
    }

    @Test func streamChunksGetTheRoleOncePerChoice() {
        var translator = CompletionsTranslation.StreamTranslator(from: .completions, to: .chat)
        let chunk: JSONObject = [
            "id": "c", "object": "text_completion", "choices": [["text": "Hel", "index": 0, "finish_reason": nil]],
        ]
        let first = translator.translate(chunk)[0]
        let second = translator.translate(chunk)[0]
        #expect(first["object"] == "chat.completion.chunk")
        #expect(first["choices"]?.arrayValue?[0]["delta"] == ["role": "assistant", "content": "Hel"])
        #expect(second["choices"]?.arrayValue?[0]["delta"] == ["content": "Hel"])
    }
}

@Suite struct MockProviderTests {
    let target = RouteTarget(provider: ProviderRef(family: .mock), model: "mock-1")

    func call(_ body: JSONObject, _ endpoint: ProviderEndpoint = .chat) -> ProviderCall {
        ProviderCall(target: target, credential: nil, endpoint: endpoint, body: body, requestID: "r")
    }

    @Test func streamedTextAndUsageMatchTheBufferedAnswer() async throws {
        let mock = MockProvider(streamDelayMilliseconds: 0)
        let body: JSONObject = [
            "model": "x",
            "messages": [
                ["role": "system", "content": "You help."], ["role": "user", "content": "What is up today"],
            ],
        ]
        let buffered = try await mock.send(call(body))
        let content = buffered.body["choices"]?.arrayValue?[0]["message"]?["content"]?.stringValue
        #expect(content == "This is a mock response from Switchboard to: What is up today")
        #expect(buffered.usage == Usage(promptTokens: 3 + 2 + 3 + 4, completionTokens: 12))

        let started = try await mock.stream(call(body))
        var text = ""
        var pieces = 0
        var usage: Usage?
        var finish: String?
        for try await chunk in started.chunks {
            if let piece = chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue, !piece.isEmpty {
                text += piece
                pieces += 1
            }
            finish = chunk["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue ?? finish
            usage = Usage(chunk["usage"]) ?? usage
        }
        #expect(text == content)
        #expect(usage == buffered.usage)
        #expect(pieces == usage?.completionTokens)
        #expect(finish == "stop")
    }

    @Test func maxTokensTruncatesWithLength() async throws {
        let mock = MockProvider(streamDelayMilliseconds: 0)
        let result = try await mock.send(call(["messages": [["role": "user", "content": "hello"]], "max_tokens": 2]))
        #expect(result.body["choices"]?.arrayValue?[0]["message"]?["content"] == "This is")
        #expect(result.body["choices"]?.arrayValue?[0]["finish_reason"] == "length")
        #expect(result.usage?.completionTokens == 2)
    }

    @Test func offeredToolsAreCalledWithTheirRequiredArguments() async throws {
        let mock = MockProvider(streamDelayMilliseconds: 0)
        let tools: JSONValue = [
            [
                "type": "function",
                "function": [
                    "name": "get_weather",
                    "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
                ],
            ]
        ]
        let result = try await mock.send(
            call(["messages": [["role": "user", "content": "weather?"]], "tools": tools]))
        let choice = try #require(result.body["choices"]?.arrayValue?.first)
        #expect(choice["finish_reason"] == "tool_calls")
        #expect(choice["message"]?["tool_calls"]?.arrayValue?[0]["function"]?["name"] == "get_weather")
        #expect(choice["message"]?["tool_calls"]?.arrayValue?[0]["function"]?["arguments"] == #"{"city":"mock"}"#)
    }

    @Test func legacyCompletionsAreServed() async throws {
        let mock = MockProvider(streamDelayMilliseconds: 0)
        let result = try await mock.send(call(["prompt": "Once upon"], .completions))
        #expect(result.body["object"] == "text_completion")
        #expect(
            result.body["choices"]?.arrayValue?[0]["text"] == "This is a mock response from Switchboard to: Once upon")
    }
}

@Suite struct OpenAIErrorTests {
    @Test func endpointCompatibilityIsRecognised() {
        let body = Array(
            #"{"error":{"message":"This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?","type":"invalid_request_error","param":"model","code":null}}"#
                .utf8)
        let error = OpenAIErrors.error(status: 404, body: body, retryAfter: nil)
        #expect(error.kind == .endpointNotSupported)
        #expect(!error.isRetryable)
        let missing = OpenAIErrors.error(
            status: 404, body: Array(#"{"error":{"message":"The model x does not exist"}}"#.utf8), retryAfter: nil)
        #expect(missing.kind == .notFound)
    }

    @Test func retryAfterAndMessagesAreKeptButSecretsAreNot() {
        let error = OpenAIErrors.error(
            status: 429,
            body: Array(#"{"error":{"message":"Rate limit for key sk-proj-abcdefghijklmnopqrstuvwxyz reached"}}"#.utf8),
            retryAfter: "3")
        #expect(error.kind == .rateLimited)
        #expect(error.retryAfterSeconds == 3)
        #expect(!error.message.contains("sk-proj"))
        #expect(error.message.contains("[redacted]"))
        let html = OpenAIErrors.error(status: 502, body: Array("<html>bad gateway</html>".utf8), retryAfter: nil)
        #expect(html.message == "HTTP 502", "a non-JSON body is never echoed")
    }
}

@Suite struct ToolCallIndexerTests {
    func delta(_ calls: JSONValue) -> JSONObject {
        ["object": "chat.completion.chunk", "choices": [["index": 0, "delta": ["tool_calls": calls]]]]
    }

    @Test func wholeCallsWithoutIndexGetDenseIndexes() throws {
        var indexer = ToolCallIndexer()
        var first = delta([
            ["id": "a", "type": "function", "function": ["name": "f", "arguments": "{}"]],
            ["id": "b", "type": "function", "function": ["name": "g", "arguments": "{\"x\":"]],
        ])
        var fragment = delta([["function": ["arguments": "1}"]]])
        var third = delta([["id": "c", "type": "function", "function": ["name": "h", "arguments": "{}"]]])
        indexer.normalize(&first)
        indexer.normalize(&fragment)
        indexer.normalize(&third)
        let indexes = [first, fragment, third].flatMap { chunk in
            (chunk["choices"]?.arrayValue?[0]["delta"]?["tool_calls"]?.arrayValue ?? []).map { $0["index"] }
        }
        #expect(indexes == [0, 1, 1, 2])
        #expect(
            first["choices"]?.arrayValue?[0]["delta"]?["tool_calls"]?.arrayValue?[0].objectValue?.keys.first == "index")
    }

    @Test func namedCallsWithoutIDStartNewIndexesAndGetAnID() throws {
        var indexer = ToolCallIndexer()
        var chunk = delta([
            ["function": ["name": "f", "arguments": "{}"]], ["function": ["name": "g", "arguments": "{}"]],
        ])
        indexer.normalize(&chunk)
        let calls = try #require(chunk["choices"]?.arrayValue?[0]["delta"]?["tool_calls"]?.arrayValue)
        #expect(calls.map { $0["index"] } == [0, 1])
        let ids = calls.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 2 && Set(ids).count == 2 && ids.allSatisfy { $0.hasPrefix("call_") })
        #expect(calls.allSatisfy { $0["type"] == "function" })
    }

    @Test func indexedDeltasPassThroughUnchanged() {
        var indexer = ToolCallIndexer()
        let original = delta([["index": 3, "id": "a", "function": ["name": "f", "arguments": ""]]])
        var chunk = original
        indexer.normalize(&chunk)
        #expect(chunk == original)
        var plain: JSONObject = ["choices": [["index": 0, "delta": ["content": "hi"]]]]
        indexer.normalize(&plain)
        #expect(plain == ["choices": [["index": 0, "delta": ["content": "hi"]]]])
    }
}
