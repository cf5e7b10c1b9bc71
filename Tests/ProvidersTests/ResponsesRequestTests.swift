import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct ResponsesRequestTests {
    func chat(_ text: String) throws -> JSONObject {
        try ResponsesRequest(try json(text)).chat
    }

    func rejection(_ text: String) throws -> GatewayError {
        let body = try json(text)
        do {
            _ = try ResponsesRequest(body)
        } catch let error as GatewayError {
            return error
        }
        Issue.record("expected a 400 for \(text)")
        return GatewayError.internalError()
    }

    @Test func stringInputAndInstructions() throws {
        let request = try ResponsesRequest(try json(#"{"model":"fast","input":"Hi","instructions":"Be brief."}"#))
        #expect(request.model == "fast")
        #expect(request.stream == false)
        #expect(
            request.chat["messages"]
                == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]])
        #expect(request.chat["model"] == "fast")
        #expect(request.chat["stream"] == nil)
    }

    @Test func messageItemsKeepRolesAndConvertParts() throws {
        let out = try chat(
            """
            {"model":"m","input":[
              {"role":"developer","content":"Rules"},
              {"type":"message","role":"system","content":[{"type":"input_text","text":"Sys"}]},
              {"role":"user","content":[{"type":"input_text","text":"Look"},
                {"type":"input_image","image_url":"data:image/png;base64,AAA","detail":"low"},
                {"type":"input_file","filename":"a.pdf","file_data":"data:application/pdf;base64,JVBE"}]},
              {"type":"message","id":"msg_1","status":"completed","role":"assistant",
               "content":[{"type":"output_text","text":"Seen","annotations":[]}]}
            ]}
            """)
        #expect(
            out["messages"]
                == [
                    ["role": "developer", "content": "Rules"],
                    ["role": "system", "content": [["type": "text", "text": "Sys"]]],
                    [
                        "role": "user",
                        "content": [
                            ["type": "text", "text": "Look"],
                            ["type": "image_url", "image_url": ["url": "data:image/png;base64,AAA", "detail": "low"]],
                            [
                                "type": "file",
                                "file": ["file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"],
                            ],
                        ],
                    ],
                    ["role": "assistant", "content": [["type": "text", "text": "Seen"]]],
                ])
    }

    @Test func functionCallsMergeAndOutputsBecomeToolMessages() throws {
        let out = try chat(
            """
            {"model":"m","input":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"type":"function_call","id":"fc_1","call_id":"call_a","name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"},
              {"type":"function_call","call_id":"call_b","name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"},
              {"type":"function_call_output","call_id":"call_a","output":"18C"},
              {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"21C"}]}
            ]}
            """)
        #expect(
            out["messages"]
                == [
                    ["role": "user", "content": "Weather in Paris and Rome?"],
                    [
                        "role": "assistant", "content": nil,
                        "tool_calls": [
                            ChatShapes.toolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                            ChatShapes.toolCall(id: "call_b", name: "get_weather", arguments: #"{"city":"Rome"}"#),
                        ],
                    ],
                    ["role": "tool", "tool_call_id": "call_a", "content": "18C"],
                    ["role": "tool", "tool_call_id": "call_b", "content": [["type": "text", "text": "21C"]]],
                ])
    }

    @Test func toolsToolChoiceAndOptions() throws {
        let out = try chat(
            """
            {"model":"m","input":"x","tools":[{"type":"function","name":"f","description":"d",
              "parameters":{"type":"object","properties":{}},"strict":true}],
             "tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":false,"max_output_tokens":64,
             "temperature":0.5,"top_p":0.9,"reasoning":{"effort":"low","summary":"auto"},"user":"u1",
             "safety_identifier":"s1","metadata":{"k":"v"},"store":true}
            """)
        #expect(
            out["tools"]
                == [
                    [
                        "type": "function",
                        "function": [
                            "name": "f", "description": "d", "parameters": ["type": "object", "properties": [:]],
                            "strict": true,
                        ],
                    ]
                ])
        #expect(out["tool_choice"] == ["type": "function", "function": ["name": "f"]])
        #expect(out["parallel_tool_calls"] == false)
        #expect(out["max_completion_tokens"] == 64)
        #expect(out["temperature"] == 0.5)
        #expect(out["top_p"] == 0.9)
        #expect(out["reasoning_effort"] == "low")
        #expect(out["user"] == "u1")
        #expect(out["safety_identifier"] == "s1")
        #expect(out["metadata"] == nil)
        #expect(out["store"] == nil)
    }

    @Test(arguments: ["auto", "none", "required"])
    func toolChoiceModesPassThrough(mode: String) throws {
        let out = try chat(#"{"model":"m","input":"x","tool_choice":"\#(mode)"}"#)
        #expect(out["tool_choice"] == .string(mode))
    }

    @Test func textFormats() throws {
        let schema = try chat(
            """
            {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"person",
             "schema":{"type":"object"},"strict":true}}}
            """)
        #expect(
            schema["response_format"]
                == [
                    "type": "json_schema",
                    "json_schema": ["name": "person", "schema": ["type": "object"], "strict": true],
                ])
        let object = try chat(#"{"model":"m","input":"x","text":{"format":{"type":"json_object"}}}"#)
        #expect(object["response_format"] == ["type": "json_object"])
        let text = try chat(#"{"model":"m","input":"x","text":{"format":{"type":"text"},"verbosity":"low"}}"#)
        #expect(text["response_format"] == nil)
        #expect(text["verbosity"] == "low")
    }

    @Test func streamAsksForUsage() throws {
        let request = try ResponsesRequest(try json(#"{"model":"m","input":"x","stream":true}"#))
        #expect(request.stream)
        #expect(request.chat["stream"] == true)
        #expect(request.chat["stream_options"] == ["include_usage": true])
    }

    @Test func echoDefaultsAndGivenValues() throws {
        let plain = try ResponsesRequest(try json(#"{"model":"m","input":"x"}"#)).echo
        #expect(plain["store"] == true, "store defaults to true, as on OpenAI")
        #expect(plain["tools"] == [])
        #expect(plain["tool_choice"] == "auto")
        #expect(plain["parallel_tool_calls"] == true)
        #expect(plain["text"] == ["format": ["type": "text"]])
        #expect(plain["metadata"] == [:])
        #expect(plain["previous_response_id"] == .null)
        #expect(plain["temperature"] == .null)
        let given = try ResponsesRequest(
            try json(#"{"model":"m","input":"x","instructions":"I","temperature":0.3,"metadata":{"a":"b"}}"#)
        ).echo
        #expect(given["instructions"] == "I")
        #expect(given["temperature"] == 0.3)
        #expect(given["metadata"] == ["a": "b"])
    }

    @Test(arguments: [
        (#"{"model":"m","input":"x","conversation":"conv_1"}"#, "conversation"),
        (#"{"model":"m","input":"x","background":true}"#, "background"),
        (#"{"model":"m","input":"x","prompt":{"id":"p"}}"#, "prompt"),
        (#"{"model":"m","input":"x","include":["file_search_call.results"]}"#, "include[0]"),
        (#"{"model":"m","input":"x","tools":[{"type":"web_search"}]}"#, "tools[0].type"),
        (#"{"model":"m","input":"x","tool_choice":{"type":"file_search"}}"#, "tool_choice"),
        (#"{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}"#, "input[0]"),
        (
            #"{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}"#,
            "input[0].content[0].image_url"
        ),
        (
            #"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}"#,
            "input[0].content[0].file_data"
        ),
        (#"{"model":"m","input":[{"type":"web_search_call","id":"ws"}]}"#, "input[0].type"),
    ])
    func unsupportedFieldsAreA400NamingTheField(body: String, param: String) throws {
        let error = try rejection(body)
        #expect(error.status == 400)
        #expect(error.param == param)
        #expect(error.code == "unsupported_parameter")
    }

    @Test(arguments: [
        (#"{"input":"x"}"#, "model"),
        (#"{"model":"m"}"#, "input"),
        (#"{"model":"m","input":[]}"#, "input"),
        (#"{"model":"m","input":[{"role":"tool","content":"x"}]}"#, "input[0].role"),
        (#"{"model":"m","input":"x","max_output_tokens":0}"#, "max_output_tokens"),
        (#"{"model":"m","input":"x","stream":"yes"}"#, "stream"),
        (#"{"model":"m","input":"x","text":{"format":{"type":"json_schema"}}}"#, "text.format"),
        (#"{"model":"m","input":"x","tools":[{"type":"function"}]}"#, "tools[0].name"),
        (#"{"model":"m","input":"x","instructions":3}"#, "instructions"),
    ])
    func invalidRequestsAreA400(body: String, param: String) throws {
        let error = try rejection(body)
        #expect(error.status == 400)
        #expect(error.param == param)
    }

    @Test func storeAndPreviousResponseAreEchoed() throws {
        let stored = try ResponsesRequest(try json(#"{"model":"m","input":"x","previous_response_id":"resp_1"}"#))
        #expect(stored.store)
        #expect(stored.previousResponseID == "resp_1")
        #expect(stored.echo["previous_response_id"] == "resp_1")
        let unstored = try ResponsesRequest(try json(#"{"model":"m","input":"x","store":false}"#))
        #expect(!unstored.store)
        #expect(unstored.echo["store"] == false)
    }

    @Test func aContinuedConversationGoesBetweenInstructionsAndTheNewInput() throws {
        var request = try ResponsesRequest(
            try json(#"{"model":"m","instructions":"Be brief.","input":"And Rome?","previous_response_id":"resp_1"}"#))
        request.prepend(history: [
            ["role": "user", "content": "Weather in Paris?"], ["role": "assistant", "content": "Sunny."],
        ])
        #expect(
            request.chat["messages"] == [
                ["role": "system", "content": "Be brief."], ["role": "user", "content": "Weather in Paris?"],
                ["role": "assistant", "content": "Sunny."], ["role": "user", "content": "And Rome?"],
            ])
    }

    @Test func theStoredConversationHoldsInputAndAnswerButNotInstructionsOrReasoning() throws {
        let request = try ResponsesRequest(try json(#"{"model":"m","instructions":"Be brief.","input":"Hi"}"#))
        let response: JSONObject = [
            "output": [
                ["type": "reasoning", "content": [["type": "reasoning_text", "text": "hmm"]]],
                ["type": "message", "content": [["type": "output_text", "text": "Hello"]]],
                ["type": "function_call", "call_id": "call_1", "name": "f", "arguments": #"{"a":1}"#],
            ]
        ]
        let conversation = ResponsesHistory.conversation(
            history: [["role": "user", "content": "Earlier"]], request: request, response: response)
        #expect(
            conversation == [
                ["role": "user", "content": "Earlier"], ["role": "user", "content": "Hi"],
                [
                    "role": "assistant", "content": "Hello",
                    "tool_calls": [
                        ["id": "call_1", "type": "function", "function": ["name": "f", "arguments": #"{"a":1}"#]]
                    ],
                ],
            ])
    }
}
