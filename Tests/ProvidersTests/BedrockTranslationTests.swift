import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct BedrockRequestTests {
    func translate(_ text: String, model: String = "amazon.nova-pro-v1:0") throws -> JSONObject {
        try BedrockRequest.translate(json(text), model: model, defaultMaxTokens: 4096).body
    }

    /// The example botocore validated: the same conversation in OpenAI's shape translates to it exactly.
    @Test func theBotocoreValidatedExample() throws {
        let example = try json(String(decoding: fixture("bedrock/converse-examples.json"), as: UTF8.self))
        var expected = try #require(example["converse_request_params"]?.objectValue)
        expected["modelId"] = nil
        expected["additionalModelRequestFields"] = nil  // top_k has no OpenAI spelling
        let out = try translate(
            """
            {"model":"alias","messages":[{"role":"system","content":"You are a terse assistant."},
              {"role":"user","content":"What's the weather in Paris?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"tooluse_1","type":"function",
                "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
              {"role":"tool","tool_call_id":"tooluse_1","content":"{\\"tempC\\":21}"}],
             "max_tokens":512,"temperature":0.2,"top_p":0.9,"stop":["\\n\\nHuman:"],
             "tools":[{"type":"function","function":{"name":"get_weather","description":"Get weather",
               "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
             "tool_choice":"auto"}
            """, model: "anthropic.claude-3-5-sonnet-20240620-v1:0")
        // OpenAI tool results are text; the example's `json` content part is the one difference.
        var messages = try #require(expected["messages"]?.arrayValue)
        messages[2] = [
            "role": "user",
            "content": [["toolResult": ["toolUseId": "tooluse_1", "content": [["text": #"{"tempC":21}"#]]]]],
        ]
        expected["messages"] = .array(messages)
        #expect(out["system"] == expected["system"])
        #expect(out["messages"] == expected["messages"])
        #expect(out["inferenceConfig"] == expected["inferenceConfig"])
        #expect(out["toolConfig"] == expected["toolConfig"])
        #expect(out["model"] == nil, "the model id goes in the path")
    }

    @Test func imagesDocumentsAndToolChoices() throws {
        let out = try translate(
            """
            {"messages":[{"role":"user","content":[{"type":"text","text":"Compare"},
              {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
              {"type":"file","file":{"filename":"Q3 report.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
             "tool_choice":{"type":"function","function":{"name":"f"}}}
            """)
        #expect(
            out["messages"]?.arrayValue?.first?["content"] == [
                ["text": "Compare"],
                ["image": ["format": "jpeg", "source": ["bytes": "/9j/4AAQ"]]],
                ["document": ["format": "pdf", "name": "Q3 report", "source": ["bytes": "JVBERi0="]]],
            ])
        #expect(out["toolConfig"]?["toolChoice"] == ["tool": ["name": "f"]])
        #expect(out["inferenceConfig"] == nil, "Nova needs no max tokens: none is invented")
        let required = try translate(
            #"{"messages":[],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required"}"#)
        #expect(required["toolConfig"]?["toolChoice"] == ["any": [:]])
        let none = try translate(
            #"{"messages":[],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}"#)
        #expect(none["toolConfig"] == nil)
    }

    @Test func toolHistoryAlwaysComesWithAToolConfiguration() throws {
        let history = #"""
            [{"role":"user","content":"weather?"},
             {"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"w","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"t1","content":"sunny"}]
            """#
        // No tools offered (the client is done with them): Converse still needs a toolConfig.
        let without = try translate(#"{"messages":\#(history)}"#)
        #expect(
            without["toolConfig"] == [
                "tools": [
                    [
                        "toolSpec": [
                            "name": .string(BedrockRequest.placeholderTool),
                            "description": .string(BedrockRequest.placeholderDescription),
                            "inputSchema": ["json": ["type": "object"]],
                        ]
                    ]
                ]
            ])
        // tool_choice none with the tools offered: they are sent (without a choice) rather than the placeholder.
        let none = try translate(
            #"{"messages":\#(history),"tools":[{"type":"function","function":{"name":"w"}}],"tool_choice":"none"}"#)
        #expect(none["toolConfig"]?["tools"]?.arrayValue?.first?["toolSpec"]?["name"] == "w")
        #expect(none["toolConfig"]?["toolChoice"] == nil)
        // Without tool history, no tools means no toolConfig.
        #expect(try translate(#"{"messages":[{"role":"user","content":"hi"}]}"#)["toolConfig"] == nil)
    }

    @Test func httpImagesAndUnknownFormatsAreClientErrors() throws {
        for body in [
            #"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/tiff;base64,AA=="}}]}]}"#,
            #"{"messages":[],"n":3}"#,
        ] {
            #expect(throws: ProviderError.self, "\(body)") { try translate(body) }
        }
    }

    @Test func claudeGetsADefaultLimitAndThinking() throws {
        let out = try translate(
            #"{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"low","temperature":1}"#,
            model: "us.anthropic.claude-sonnet-4-20250514-v1:0")
        #expect(out["inferenceConfig"] == ["maxTokens": 5120])
        #expect(out["additionalModelRequestFields"] == ["thinking": ["type": "enabled", "budget_tokens": 1024]])
    }

    @Test func jsonModeForcesTheAnswerTool() throws {
        let result = try BedrockRequest.translate(
            json(#"{"messages":[],"response_format":{"type":"json_object"}}"#), model: "amazon.nova-lite-v1:0",
            defaultMaxTokens: 10)
        #expect(result.context.jsonMode)
        #expect(
            result.body["toolConfig"] == [
                "tools": [
                    [
                        "toolSpec": [
                            "name": .string(JSONModeTool.name), "description": .string(JSONModeTool.description),
                            "inputSchema": ["json": ["type": "object"]],
                        ]
                    ]
                ],
                "toolChoice": ["tool": ["name": .string(JSONModeTool.name)]],
            ])
    }
}

@Suite struct BedrockResponseTests {
    @Test func theBotocoreParsedResponse() throws {
        let example = try json(String(decoding: fixture("bedrock/converse-examples.json"), as: UTF8.self))
        let body = try #require(example["converse_response_body"]?.objectValue)
        let result = try BedrockResponse.translate(body, context: .init(jsonMode: false))
        let choice = try #require(result.body["choices"]?.arrayValue?.first)
        #expect(choice["message"]?["content"] == "It is 21°C in Paris.")
        #expect(choice["finish_reason"] == "stop")
        #expect(result.usage == Usage(promptTokens: 230, completionTokens: 12, cachedTokens: 0, cacheCreationTokens: 0))
        #expect(result.body["usage"]?["total_tokens"] == 242)
    }

    @Test func toolUseReasoningAndCacheTokens() throws {
        let body = try json(
            """
            {"output":{"message":{"role":"assistant","content":[
              {"reasoningContent":{"reasoningText":{"text":"Hmm.","signature":"s"}}},
              {"text":"Checking."},{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Paris"}}}]}},
             "stopReason":"tool_use",
             "usage":{"inputTokens":10,"outputTokens":20,"totalTokens":60,"cacheReadInputTokens":25,"cacheWriteInputTokens":5}}
            """)
        let result = try BedrockResponse.translate(body, context: .init(jsonMode: false))
        let message = try #require(result.body["choices"]?.arrayValue?.first?["message"])
        #expect(message["reasoning_content"] == "Hmm.")
        #expect(
            message["tool_calls"] == [
                [
                    "id": "t1", "type": "function",
                    "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#],
                ]
            ])
        #expect(result.usage == Usage(promptTokens: 40, completionTokens: 20, cachedTokens: 25, cacheCreationTokens: 5))
        #expect(result.usage?.totalTokens == 60, "the same total Bedrock reports")
    }

    @Test func errorsByExceptionName() {
        let throttled = BedrockErrors.error(
            status: 429, errorType: "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            body: Array(#"{"message":"Too many requests"}"#.utf8))
        #expect(throttled.kind == .rateLimited)
        #expect(throttled.message == "Too many requests")
        #expect(BedrockErrors.error(status: 400, errorType: "ValidationException", body: []).kind == .badRequest)
        #expect(
            BedrockErrors.error(status: 403, errorType: "AccessDeniedException", body: []).kind == .permissionDenied)
        #expect(
            BedrockErrors.error(status: 403, errorType: "UnrecognizedClientException", body: []).kind == .authentication
        )
        #expect(BedrockErrors.error(status: 404, errorType: "ResourceNotFoundException", body: []).kind == .notFound)
        #expect(BedrockErrors.error(status: 408, errorType: "ModelTimeoutException", body: []).kind == .timeout)
        #expect(
            BedrockErrors.error(status: 503, errorType: "ServiceUnavailableException", body: []).kind == .overloaded)
        #expect(BedrockErrors.error(status: 500, errorType: nil, body: []).kind == .upstreamServerError)
        let midstream = BedrockErrors.streamException(
            type: "throttlingException", payload: Array(#"{"message":"Too many tokens"}"#.utf8))
        #expect(midstream == ProviderError(.rateLimited, message: "Too many tokens"))
        #expect(BedrockErrors.streamException(type: "modelStreamErrorException", payload: []).isRetryable)
    }
}

@Suite struct BedrockStreamTests {
    /// botocore's parsed events for a recorded ConverseStream, as (event type, payload) pairs.
    func parsedEvents(_ name: String) throws -> [(String, JSONObject)] {
        let all = try json(String(decoding: fixture("bedrock/botocore-parsed-expectations.json"), as: UTF8.self))
        let events = try #require(all[name]?.arrayValue)
        return events.compactMap { (event: JSONValue) -> (String, JSONObject)? in
            guard let object = event.objectValue, let first = object.first(where: { _ in true }),
                first.key != "__error__"
            else {
                return nil
            }
            return (first.key, first.value.objectValue ?? [:])
        }
    }

    @Test func recordedTextAndToolUseStream() throws {
        var stream = BedrockStream(context: .init(jsonMode: false))
        var out = ChunkAssembler()
        for (type, payload) in try parsedEvents("converse-stream-text-tooluse.eventstream") {
            for chunk in stream.translate(eventType: type, payload: payload) { out.add(chunk) }
        }
        #expect(stream.finished)
        #expect(out.content == "Let me check the weather.")
        #expect(
            out.toolCalls == [
                .init(id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather", arguments: #"{"city": "Paris"}"#)
            ])
        #expect(out.finishReason == "tool_calls")
        #expect(out.usage == Usage(promptTokens: 412, completionTokens: 57))
    }

    @Test func aToolWithoutInputStreamsEmptyObjectArguments() {
        func run(_ events: [(String, JSONObject)], jsonMode: Bool = false) -> ChunkAssembler {
            var stream = BedrockStream(context: .init(jsonMode: jsonMode))
            var out = ChunkAssembler()
            for (type, payload) in events {
                for chunk in stream.translate(eventType: type, payload: payload) { out.add(chunk) }
            }
            #expect(stream.finished)
            return out
        }
        func toolUse(_ index: Int, _ id: String, name: String = "now") -> [(String, JSONObject)] {
            [
                (
                    "contentBlockStart",
                    [
                        "contentBlockIndex": .number(JSONNumber(index)),
                        "start": ["toolUse": ["toolUseId": .string(id), "name": .string(name)]],
                    ]
                ),
                (
                    "contentBlockDelta",
                    ["contentBlockIndex": .number(JSONNumber(index)), "delta": ["toolUse": ["input": ""]]]
                ),
            ]
        }
        let start: [(String, JSONObject)] = [("messageStart", ["role": "assistant"])]
        let end: [(String, JSONObject)] = [
            ("messageStop", ["stopReason": "tool_use"]),
            ("metadata", ["usage": ["inputTokens": 1, "outputTokens": 6]]),
        ]
        let stopped = run(
            start + toolUse(0, "a") + [("contentBlockStop", ["contentBlockIndex": 0])] + toolUse(1, "b")
                + [("contentBlockStop", ["contentBlockIndex": 1])] + end)
        #expect(
            stopped.toolCalls == [
                .init(id: "a", name: "now", arguments: "{}"), .init(id: "b", name: "now", arguments: "{}"),
            ])
        #expect(stopped.finishReason == "tool_calls")

        let unstopped = run(start + toolUse(0, "a") + end)
        #expect(unstopped.toolCalls == [.init(id: "a", name: "now", arguments: "{}")])

        let json = run(
            start + toolUse(0, "j", name: JSONModeTool.name) + [("contentBlockStop", ["contentBlockIndex": 0])] + end,
            jsonMode: true)
        #expect(json.content == "{}")
        #expect(json.toolCalls.isEmpty)
    }

    @Test func parallelToolsReasoningAndJSONMode() {
        var stream = BedrockStream(context: .init(jsonMode: false))
        var out = ChunkAssembler()
        let events: [(String, JSONObject)] = [
            ("messageStart", ["role": "assistant"]),
            ("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["reasoningContent": ["text": "Two."]]]),
            ("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["reasoningContent": ["signature": "x"]]]),
            ("contentBlockStart", ["contentBlockIndex": 1, "start": ["toolUse": ["toolUseId": "a", "name": "w"]]]),
            ("contentBlockStart", ["contentBlockIndex": 2, "start": ["toolUse": ["toolUseId": "b", "name": "w"]]]),
            ("contentBlockDelta", ["contentBlockIndex": 2, "delta": ["toolUse": ["input": "{}"]]]),
            ("contentBlockDelta", ["contentBlockIndex": 1, "delta": ["toolUse": ["input": #"{"c":1}"#]]]),
            ("messageStop", ["stopReason": "tool_use"]),
            ("metadata", ["usage": ["inputTokens": 3, "outputTokens": 4, "cacheReadInputTokens": 2]]),
        ]
        for (type, payload) in events {
            for chunk in stream.translate(eventType: type, payload: payload) { out.add(chunk) }
        }
        #expect(out.reasoning == "Two.")
        #expect(
            out.toolCalls == [
                .init(id: "a", name: "w", arguments: #"{"c":1}"#), .init(id: "b", name: "w", arguments: "{}"),
            ])
        #expect(out.usage == Usage(promptTokens: 5, completionTokens: 4, cachedTokens: 2))

        var json = BedrockStream(context: .init(jsonMode: true))
        var answer = ChunkAssembler()
        for (type, payload): (String, JSONObject) in [
            ("messageStart", ["role": "assistant"]),
            (
                "contentBlockStart",
                ["contentBlockIndex": 0, "start": ["toolUse": ["toolUseId": "j", "name": .string(JSONModeTool.name)]]]
            ),
            ("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["toolUse": ["input": #"{"a":"#]]]),
            ("contentBlockDelta", ["contentBlockIndex": 0, "delta": ["toolUse": ["input": "1}"]]]),
            ("messageStop", ["stopReason": "tool_use"]),
            ("metadata", ["usage": ["inputTokens": 1, "outputTokens": 1]]),
        ] {
            for chunk in json.translate(eventType: type, payload: payload) { answer.add(chunk) }
        }
        #expect(answer.content == #"{"a":1}"#)
        #expect(answer.finishReason == "stop")
        #expect(answer.toolCalls.isEmpty)
    }
}
