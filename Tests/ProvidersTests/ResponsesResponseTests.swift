import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct ResponsesResponseTests {
    func request(_ text: String = #"{"model":"fast","input":"Hi"}"#) throws -> ResponsesRequest {
        try ResponsesRequest(try json(text))
    }

    func completion(
        message: JSONObject, finish: String, usage: Usage? = Usage(promptTokens: 5, completionTokens: 3)
    )
        -> JSONObject
    {
        ChatShapes.completion(message: message, finishReason: finish, usage: usage)
    }

    @Test func textCompletionBecomesACompletedResponse() throws {
        let chat = completion(
            message: ChatShapes.assistantMessage(text: "Hello!", toolCalls: [], reasoning: nil), finish: "stop")
        let out = ResponsesResponse.from(
            completion: chat, request: try request(), id: "resp_1", createdAt: 100, completedAt: 101)
        #expect(out["id"] == "resp_1")
        #expect(out["object"] == "response")
        #expect(out["created_at"] == 100)
        #expect(out["completed_at"] == 101)
        #expect(out["status"] == "completed")
        #expect(out["model"] == "fast")
        #expect(out["error"] == .null)
        #expect(out["incomplete_details"] == .null)
        #expect(out["store"] == true)
        #expect(out["previous_response_id"] == .null)
        #expect(out["tools"] == [])
        #expect(out["metadata"] == [:])
        let output = try #require(out["output"]?.arrayValue)
        #expect(output.count == 1)
        let message = output[0]
        #expect(message["type"] == "message")
        #expect(message["role"] == "assistant")
        #expect(message["status"] == "completed")
        #expect(message["id"]?.stringValue?.hasPrefix("msg_") == true)
        #expect(
            message["content"] == [["type": "output_text", "text": "Hello!", "annotations": [], "logprobs": []]])
        #expect(
            out["usage"]
                == [
                    "input_tokens": 5, "input_tokens_details": ["cached_tokens": 0, "cache_write_tokens": 0],
                    "output_tokens": 3, "output_tokens_details": ["reasoning_tokens": 0], "total_tokens": 8,
                ])
    }

    @Test func toolCallsBecomeFunctionCallItems() throws {
        let calls = [
            ChatShapes.toolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ChatShapes.toolCall(id: "call_b", name: "get_time", arguments: "{}"),
        ]
        let chat = completion(
            message: ChatShapes.assistantMessage(text: nil, toolCalls: calls, reasoning: nil), finish: "tool_calls")
        let out = ResponsesResponse.from(completion: chat, request: try request(), id: "resp_1", createdAt: 1)
        let output = try #require(out["output"]?.arrayValue)
        #expect(output.count == 2)
        #expect(output.map { $0["type"] } == ["function_call", "function_call"])
        #expect(output[0]["call_id"] == "call_a")
        #expect(output[0]["name"] == "get_weather")
        #expect(output[0]["arguments"] == #"{"city":"Paris"}"#)
        #expect(output[0]["status"] == "completed")
        #expect(output[0]["id"]?.stringValue?.hasPrefix("fc_") == true)
        #expect(output[1]["call_id"] == "call_b")
        #expect(out["status"] == "completed")
    }

    @Test func textBeforeToolCallsKeepsBoth() throws {
        let calls = [ChatShapes.toolCall(id: "call_a", name: "f", arguments: "{}")]
        let chat = completion(
            message: ChatShapes.assistantMessage(text: "Let me check.", toolCalls: calls, reasoning: "Think"),
            finish: "tool_calls")
        let out = ResponsesResponse.from(completion: chat, request: try request(), id: "r", createdAt: 1)
        let output = try #require(out["output"]?.arrayValue)
        #expect(output.map { $0["type"] } == ["reasoning", "message", "function_call"])
        #expect(output[0]["summary"] == [])
        #expect(output[0]["content"] == [["type": "reasoning_text", "text": "Think"]])
        #expect(output[0]["id"]?.stringValue?.hasPrefix("rs_") == true)
    }

    @Test(arguments: [("length", "max_output_tokens"), ("content_filter", "content_filter")])
    func truncatedCompletionsAreIncomplete(finish: String, reason: String) throws {
        let chat = completion(
            message: ChatShapes.assistantMessage(text: "Partial", toolCalls: [], reasoning: nil), finish: finish)
        let out = ResponsesResponse.from(completion: chat, request: try request(), id: "r", createdAt: 1)
        #expect(out["status"] == "incomplete")
        #expect(out["incomplete_details"] == ["reason": .string(reason)])
        #expect(out["completed_at"] == .null)
        #expect(out["output"]?.arrayValue?.first?["status"] == "incomplete")
    }

    @Test func usageDetailsAreCarried() throws {
        let usage = Usage(
            promptTokens: 100, completionTokens: 40, cachedTokens: 60, cacheCreationTokens: 10, reasoningTokens: 25)
        #expect(
            ResponsesResponse.json(usage)
                == [
                    "input_tokens": 100, "input_tokens_details": ["cached_tokens": 60, "cache_write_tokens": 10],
                    "output_tokens": 40, "output_tokens_details": ["reasoning_tokens": 25], "total_tokens": 140,
                ])
    }

    @Test func echoedRequestFieldsAppear() throws {
        let request = try request(
            """
            {"model":"fast","input":"Hi","instructions":"Be brief.","temperature":0.2,"max_output_tokens":50,
             "tools":[{"type":"function","name":"f"}],"tool_choice":"required","metadata":{"k":"v"},
             "text":{"format":{"type":"json_object"}},"user":"u"}
            """)
        let chat = completion(
            message: ChatShapes.assistantMessage(text: "{}", toolCalls: [], reasoning: nil), finish: "stop")
        let out = ResponsesResponse.from(completion: chat, request: request, id: "r", createdAt: 1)
        #expect(out["instructions"] == "Be brief.")
        #expect(out["temperature"] == 0.2)
        #expect(out["max_output_tokens"] == 50)
        #expect(
            out["tools"] == [["type": "function", "name": "f", "description": nil, "parameters": nil, "strict": nil]],
            "function tools are listed with every field OpenAI's schema requires")
        #expect(out["tool_choice"] == "required")
        #expect(out["metadata"] == ["k": "v"])
        #expect(out["text"] == ["format": ["type": "json_object"]])
        #expect(out["user"] == "u")
    }

    @Test func missingUsageIsLeftOut() throws {
        let chat = completion(
            message: ChatShapes.assistantMessage(text: "x", toolCalls: [], reasoning: nil), finish: "stop", usage: nil)
        let out = ResponsesResponse.from(completion: chat, request: try request(), id: "r", createdAt: 1)
        #expect(out["usage"] == nil, "OpenAI's schema has no null usage")
    }
}
