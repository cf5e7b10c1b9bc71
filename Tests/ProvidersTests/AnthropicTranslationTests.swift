import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

func json(_ text: String) throws -> JSONObject {
    try #require(try JSONParser.parse(text).objectValue)
}

@Suite struct AnthropicRequestTests {
    func translate(_ text: String, model: String = "claude-sonnet-4-5") throws -> JSONObject {
        try AnthropicRequest.translate(json(text), model: model, defaultMaxTokens: 4096, stream: false).body
    }

    @Test func systemAndDeveloperMessagesBecomeSystemBlocksInOrder() throws {
        let out = try translate(
            """
            {"model":"alias","messages":[{"role":"system","content":"One."},{"role":"user","content":"Hi"},
             {"role":"developer","content":[{"type":"text","text":"Two."}]},{"role":"assistant","content":"Hello"},
             {"role":"user","content":"Again"}]}
            """)
        #expect(out["model"] == "claude-sonnet-4-5")
        #expect(out["system"] == [["type": "text", "text": "One."], ["type": "text", "text": "Two."]])
        #expect(
            out["messages"] == [
                ["role": "user", "content": [["type": "text", "text": "Hi"]]],
                ["role": "assistant", "content": [["type": "text", "text": "Hello"]]],
                ["role": "user", "content": [["type": "text", "text": "Again"]]],
            ])
        #expect(out["max_tokens"] == 4096, "Anthropic requires max_tokens: the default is sent")
        #expect(out["stream"] == nil)
    }

    @Test func toolHistoryBecomesToolUseAndMergedToolResults() throws {
        let out = try translate(
            """
            {"messages":[{"role":"user","content":"Weather in Paris and Rome?"},
             {"role":"assistant","content":null,"tool_calls":[
               {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}},
               {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Rome\\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"18C"},
             {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]},
             {"role":"user","content":"Thanks"}]}
            """)
        let messages = try #require(out["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(
            messages[1] == [
                "role": "assistant",
                "content": [
                    ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["location": "Paris"]],
                    ["type": "tool_use", "id": "call_2", "name": "get_weather", "input": ["location": "Rome"]],
                ],
            ])
        #expect(
            messages[2] == [
                "role": "user",
                "content": [
                    ["type": "tool_result", "tool_use_id": "call_1", "content": "18C"],
                    ["type": "tool_result", "tool_use_id": "call_2", "content": "21C"],
                    ["type": "text", "text": "Thanks"],
                ],
            ])
    }

    @Test func toolsAndEveryToolChoice() throws {
        let base = """
            "messages":[{"role":"user","content":"x"}],
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather",
              "parameters":{"type":"object","properties":{"location":{"type":"string"}}}}}]
            """
        let auto = try translate("{\(base)}")
        #expect(
            auto["tools"] == [
                [
                    "name": "get_weather", "description": "Weather",
                    "input_schema": ["type": "object", "properties": ["location": ["type": "string"]]],
                ]
            ])
        #expect(auto["tool_choice"] == nil)
        #expect(try translate("{\(base),\"tool_choice\":\"auto\"}")["tool_choice"] == ["type": "auto"])
        #expect(try translate("{\(base),\"tool_choice\":\"none\"}")["tool_choice"] == ["type": "none"])
        #expect(try translate("{\(base),\"tool_choice\":\"required\"}")["tool_choice"] == ["type": "any"])
        #expect(
            try translate("{\(base),\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}")[
                "tool_choice"] == ["type": "tool", "name": "get_weather"])
        #expect(
            try translate("{\(base),\"parallel_tool_calls\":false}")["tool_choice"] == [
                "type": "auto", "disable_parallel_tool_use": true,
            ])
        #expect(
            try translate("{\(base),\"tool_choice\":\"required\",\"parallel_tool_calls\":false}")["tool_choice"] == [
                "type": "any", "disable_parallel_tool_use": true,
            ])
    }

    @Test func imagesAsDataURLsAndHTTPURLs() throws {
        let out = try translate(
            """
            {"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
              {"type":"image_url","image_url":{"url":"data:image/jpg;base64,/9j/4AAQ"}},
              {"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}
            """)
        #expect(
            out["messages"]?.arrayValue?.first?["content"] == [
                ["type": "text", "text": "What is this?"],
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]],
                ["type": "image", "source": ["type": "url", "url": "https://example.com/cat.jpg"]],
                // Anthropic accepts image/jpeg only; image/jpg is a common misspelling.
                ["type": "image", "source": ["type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"]],
                [
                    "type": "document",
                    "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0="],
                ],
            ])
    }

    @Test func samplingStopAndLimits() throws {
        let out = try translate(
            """
            {"messages":[{"role":"user","content":"x"}],"temperature":0.3,"top_p":0.9,"stop":"END",
             "max_tokens":100,"max_completion_tokens":50,"user":"u-1","seed":7,"frequency_penalty":0.1}
            """)
        #expect(out["temperature"] == 0.3)
        #expect(out["top_p"] == 0.9)
        #expect(out["stop_sequences"] == ["END"])
        #expect(out["max_tokens"] == 50, "max_completion_tokens wins over the deprecated max_tokens")
        #expect(out["metadata"] == ["user_id": "u-1"])
        #expect(try translate(#"{"messages":[],"stop":["a","b"]}"#)["stop_sequences"] == ["a", "b"])
    }

    @Test func responseFormatIsAForcedTool() throws {
        let result = try AnthropicRequest.translate(
            json(
                """
                {"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema",
                 "json_schema":{"name":"person","schema":{"type":"object","properties":{"name":{"type":"string"}}}}}}
                """), model: "claude-3-5-haiku-latest", defaultMaxTokens: 1000, stream: true)
        #expect(result.context.jsonMode)
        #expect(result.body["stream"] == true)
        let tools = try #require(result.body["tools"]?.arrayValue)
        #expect(tools.count == 1)
        #expect(tools[0]["name"]?.stringValue == JSONModeTool.name)
        #expect(tools[0]["input_schema"] == ["type": "object", "properties": ["name": ["type": "string"]]])
        #expect(result.body["tool_choice"] == ["type": "tool", "name": .string(JSONModeTool.name)])
    }

    @Test func reasoningEffortEnablesThinkingOnModelsThatHaveIt() throws {
        let request = #"{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"medium","temperature":0.5}"#
        let thinking = try translate(request, model: "claude-sonnet-4-5-20250929")
        #expect(thinking["thinking"] == ["type": "enabled", "budget_tokens": 4096])
        #expect(thinking["max_tokens"] == 8192, "room for the answer on top of the budget")
        #expect(thinking["temperature"] == nil, "extended thinking takes no temperature")
        let small = try translate(
            #"{"messages":[],"reasoning_effort":"high","max_completion_tokens":2000}"#, model: "claude-opus-4-1")
        #expect(small["thinking"] == ["type": "enabled", "budget_tokens": 1999])
        #expect(small["max_tokens"] == 2000)
        let old = try translate(request, model: "claude-3-5-haiku-latest")
        #expect(old["thinking"] == nil)
        #expect(old["temperature"] == 0.5)
    }

    @Test func requestsAnthropicCannotServeAreClientErrors() throws {
        for body in [
            #"{"messages":[],"n":2}"#,
            #"{"messages":[],"logprobs":true}"#,
            #"{"messages":[{"role":"function","name":"f","content":"x"}]}"#,
            #"{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#,
            #"{"messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"[1"}}]}]}"#,
            #"{"messages":[{"role":"tool","content":"x"}]}"#,
            #"{"messages":[],"tools":[{"type":"web_search"}]}"#,
        ] {
            #expect(throws: ProviderError.self, "\(body)") { try translate(body) }
            do {
                _ = try translate(body)
            } catch let error as ProviderError {
                #expect(error.kind == .badRequest)
                #expect(!error.isRetryable)
            }
        }
    }
}

@Suite struct AnthropicResponseTests {
    @Test func textToolUseThinkingAndUsage() throws {
        let body = try json(
            """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
              {"type":"thinking","thinking":"Let me see.","signature":"sig"},
              {"type":"text","text":"Checking."},
              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Paris","units":"c"}},
              {"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":42}}
            """)
        let result = try AnthropicResponse.translate(body, context: .init(jsonMode: false))
        let choice = try #require(result.body["choices"]?.arrayValue?.first)
        #expect(result.body["object"] == "chat.completion")
        #expect(choice["finish_reason"] == "tool_calls")
        #expect(choice["message"]?["content"] == "Checking.")
        #expect(choice["message"]?["reasoning_content"] == "Let me see.")
        #expect(
            choice["message"]?["tool_calls"] == [
                [
                    "id": "toolu_1", "type": "function",
                    "function": ["name": "get_weather", "arguments": #"{"location":"Paris","units":"c"}"#],
                ],
                ["id": "toolu_2", "type": "function", "function": ["name": "get_time", "arguments": "{}"]],
            ])
        #expect(
            result.usage
                == Usage(promptTokens: 115, completionTokens: 42, cachedTokens: 100, cacheCreationTokens: 5))
        #expect(
            result.body["usage"] == [
                "prompt_tokens": 115, "completion_tokens": 42, "total_tokens": 157,
                "prompt_tokens_details": ["cached_tokens": 100, "cache_creation_tokens": 5],
            ])
    }

    @Test func stopReasonsMapToFinishReasons() {
        #expect(AnthropicResponse.finishReason("end_turn") == "stop")
        #expect(AnthropicResponse.finishReason("stop_sequence") == "stop")
        #expect(AnthropicResponse.finishReason("max_tokens") == "length")
        #expect(AnthropicResponse.finishReason("tool_use") == "tool_calls")
        #expect(AnthropicResponse.finishReason("refusal") == "content_filter")
        #expect(AnthropicResponse.finishReason("pause_turn") == "stop")
    }

    @Test func theJSONToolAnswerIsTheContent() throws {
        let body = try json(
            """
            {"content":[{"type":"tool_use","id":"t","name":"json_response","input":{"name":"Ada"}}],
             "stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":4}}
            """)
        let result = try AnthropicResponse.translate(body, context: .init(jsonMode: true))
        let choice = try #require(result.body["choices"]?.arrayValue?.first)
        #expect(choice["message"]?["content"] == #"{"name":"Ada"}"#)
        #expect(choice["message"]?["tool_calls"] == nil)
        #expect(choice["finish_reason"] == "stop")
        #expect(result.usage == Usage(promptTokens: 3, completionTokens: 4))
    }

    @Test func errorsMapToKindsAndNeverEchoTheBody() {
        let body = Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8)
        let overloaded = AnthropicErrors.error(status: 529, body: body, retryAfter: nil)
        #expect(overloaded.kind == .overloaded)
        #expect(overloaded.isRetryable)
        let cases: [(Int, ProviderError.Kind, Bool)] = [
            (400, .badRequest, false), (401, .authentication, false), (403, .permissionDenied, false),
            (404, .notFound, false), (413, .requestTooLarge, false), (429, .rateLimited, true),
            (500, .upstreamServerError, true), (529, .overloaded, true),
        ]
        for (status, kind, retryable) in cases {
            let error = AnthropicErrors.error(status: status, body: Array("not json".utf8), retryAfter: "7")
            #expect(error.kind == kind)
            #expect(error.isRetryable == retryable)
            #expect(error.retryAfterSeconds == 7)
            #expect(error.message == "HTTP \(status)")
        }
        let gateway = AnthropicErrors.error(status: 529, body: body, retryAfter: nil).gatewayError(
            provider: "anthropic")
        #expect(gateway.status == 503)
        #expect(gateway.code == "upstream_overloaded")
    }
}

@Suite struct AnthropicStreamTests {
    func run(_ events: [JSONObject], jsonMode: Bool = false) throws -> ChunkAssembler {
        var stream = AnthropicStream(context: .init(jsonMode: jsonMode))
        var assembler = ChunkAssembler()
        for event in events {
            for chunk in try stream.translate(event) { assembler.add(chunk) }
        }
        #expect(stream.finished)
        return assembler
    }

    @Test func recordedToolUseStream() throws {
        let out = try run(sseObjects(fixture("anthropic/tool_use_response.txt")))
        #expect(out.role == "assistant")
        #expect(out.content == "I'll check the current weather in Paris for you.")
        #expect(
            out.toolCalls == [
                .init(id: "toolu_01NRLabsLyVHZPKxbKvkfSMn", name: "get_weather", arguments: #"{"location": "Paris"}"#)
            ])
        #expect(out.finishReason == "tool_calls")
        #expect(out.usage == Usage(promptTokens: 377, completionTokens: 65, cachedTokens: 0, cacheCreationTokens: 0))
    }

    @Test(arguments: [
        "basic_response.txt", "compaction_response.txt", "fallback_credit_response.txt", "fallback_response.txt",
        "incomplete_partial_json_response.txt", "refusal_response.txt", "tool_use_response.txt",
    ])
    func everyRecordedStreamTranslatesLikeTheBufferedMessage(_ name: String) throws {
        let events = try sseObjects(fixture("anthropic/\(name)"))
        let out = try run(events)
        // Rebuild the message the way Anthropic's SDK does, and compare with what the OpenAI client saw.
        var text = ""
        var usage: JSONObject = [:]
        var stopReason: String?
        for event in events {
            if event["type"] == "message_start" { usage = event["message"]?["usage"]?.objectValue ?? [:] }
            if event["type"] == "content_block_start", event["content_block"]?["type"] == "text" {
                text += event["content_block"]?["text"]?.stringValue ?? ""
            }
            if event["type"] == "content_block_delta", event["delta"]?["type"] == "text_delta" {
                text += event["delta"]?["text"]?.stringValue ?? ""
            }
            if event["type"] == "message_delta" {
                stopReason = event["delta"]?["stop_reason"]?.stringValue
                for (key, value) in event["usage"]?.objectValue ?? [:] { usage[key] = value }
            }
        }
        #expect(out.content == text)
        #expect(out.finishReason == AnthropicResponse.finishReason(stopReason))
        #expect(out.usage == AnthropicResponse.usage(.object(usage)))
        #expect(out.usage?.completionTokens == usage["output_tokens"]?.intValue)
    }

    @Test func parallelToolsGetDenseIndexesAndThinkingStreamsAsReasoning() throws {
        let events: [JSONObject] = [
            ["type": "message_start", "message": ["usage": ["input_tokens": 12, "output_tokens": 1]]],
            ["type": "content_block_start", "index": 0, "content_block": ["type": "thinking", "thinking": ""]],
            [
                "type": "content_block_delta", "index": 0,
                "delta": ["type": "thinking_delta", "thinking": "Two cities."],
            ],
            ["type": "content_block_delta", "index": 0, "delta": ["type": "signature_delta", "signature": "abc"]],
            ["type": "content_block_stop", "index": 0],
            ["type": "ping"],
            [
                "type": "content_block_start", "index": 1,
                "content_block": ["type": "tool_use", "id": "a", "name": "w", "input": [:]],
            ],
            [
                "type": "content_block_delta", "index": 1,
                "delta": ["type": "input_json_delta", "partial_json": #"{"c":"#],
            ],
            [
                "type": "content_block_start", "index": 2,
                "content_block": ["type": "tool_use", "id": "b", "name": "w", "input": [:]],
            ],
            [
                "type": "content_block_delta", "index": 1,
                "delta": ["type": "input_json_delta", "partial_json": #""P"}"#],
            ],
            [
                "type": "content_block_delta", "index": 2,
                "delta": ["type": "input_json_delta", "partial_json": #"{"c":"R"}"#],
            ],
            ["type": "message_delta", "delta": ["stop_reason": "tool_use"], "usage": ["output_tokens": 30]],
            ["type": "message_stop"],
        ]
        let out = try run(events)
        #expect(out.reasoning == "Two cities.")
        #expect(
            out.toolCalls == [
                .init(id: "a", name: "w", arguments: #"{"c":"P"}"#),
                .init(id: "b", name: "w", arguments: #"{"c":"R"}"#),
            ])
        #expect(out.usage == Usage(promptTokens: 12, completionTokens: 30))
    }

    @Test func jsonModeStreamsTheToolInputAsContent() throws {
        let events: [JSONObject] = [
            ["type": "message_start", "message": ["usage": ["input_tokens": 5, "output_tokens": 1]]],
            [
                "type": "content_block_start", "index": 0,
                "content_block": ["type": "tool_use", "id": "t", "name": "json_response", "input": [:]],
            ],
            [
                "type": "content_block_delta", "index": 0,
                "delta": ["type": "input_json_delta", "partial_json": #"{"name""#],
            ],
            [
                "type": "content_block_delta", "index": 0,
                "delta": ["type": "input_json_delta", "partial_json": #":"Ada"}"#],
            ],
            ["type": "message_delta", "delta": ["stop_reason": "tool_use"], "usage": ["output_tokens": 9]],
            ["type": "message_stop"],
        ]
        let out = try run(events, jsonMode: true)
        #expect(out.content == #"{"name":"Ada"}"#)
        #expect(out.toolCalls.isEmpty)
        #expect(out.finishReason == "stop")
    }

    @Test func aToolWithoutInputStreamsEmptyObjectArguments() throws {
        // A tool without parameters streams one empty input_json_delta; clients still need JSON arguments.
        func toolUse(_ index: Int, _ id: String) -> [JSONObject] {
            [
                [
                    "type": "content_block_start", "index": .number(JSONNumber(index)),
                    "content_block": ["type": "tool_use", "id": .string(id), "name": "now", "input": [:]],
                ],
                [
                    "type": "content_block_delta", "index": .number(JSONNumber(index)),
                    "delta": ["type": "input_json_delta", "partial_json": ""],
                ],
            ]
        }
        let start: JSONObject = ["type": "message_start", "message": ["usage": ["input_tokens": 2]]]
        let end: [JSONObject] = [
            ["type": "message_delta", "delta": ["stop_reason": "tool_use"], "usage": ["output_tokens": 6]],
            ["type": "message_stop"],
        ]
        let stopped = try run(
            [start] + toolUse(0, "a") + [["type": "content_block_stop", "index": 0]] + toolUse(1, "b")
                + [["type": "content_block_stop", "index": 1]] + end)
        #expect(
            stopped.toolCalls == [
                .init(id: "a", name: "now", arguments: "{}"), .init(id: "b", name: "now", arguments: "{}"),
            ])
        #expect(stopped.finishReason == "tool_calls")

        // Without content_block_stop (a truncated upstream), the arguments are completed before the finish.
        let unstopped = try run([start] + toolUse(0, "a") + end)
        #expect(unstopped.toolCalls == [.init(id: "a", name: "now", arguments: "{}")])

        // Non-empty input is left alone, and a JSON-mode answer with empty input is `{}` content.
        let json = try run(
            [start]
                + toolUse(0, "j").map { event in
                    var event = event
                    if event["type"] == "content_block_start" {
                        event["content_block"] = [
                            "type": "tool_use", "id": "j", "name": .string(JSONModeTool.name), "input": [:],
                        ]
                    }
                    return event
                } + [["type": "content_block_stop", "index": 0]] + end, jsonMode: true)
        #expect(json.content == "{}")
        #expect(json.toolCalls.isEmpty)
    }

    @Test func anErrorEventFailsTheStreamWithItsKind() throws {
        var stream = AnthropicStream(context: .init(jsonMode: false))
        _ = try stream.translate(["type": "message_start", "message": ["usage": ["input_tokens": 1]]])
        #expect(throws: ProviderError(.overloaded, message: "Overloaded")) {
            try stream.translate(["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]])
        }
        #expect(stream.usage == Usage(promptTokens: 1, completionTokens: 0), "tokens seen so far stay known")
    }
}
