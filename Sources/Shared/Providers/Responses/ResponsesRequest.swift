import GatewayCore
import GatewaySchema

/// A Responses API request (`POST /v1/responses`) read as an OpenAI chat request, so that every chat
/// provider can serve it, plus the request fields the `response` object echoes.
///
/// Supported: `input` (a string or an item array of messages, `function_call` and `function_call_output`
/// items; `reasoning` items are dropped since no provider can take them back), `instructions` (a leading
/// system message), function tools, `tool_choice`, `parallel_tool_calls`, `max_output_tokens`, `temperature`,
/// `top_p`, `text.format`, `text.verbosity`, `reasoning.effort`, `metadata` (echoed, never sent upstream),
/// `user`, `safety_identifier`, `prompt_cache_key`, `service_tier`, `stream`, `store` (default true) and
/// `previous_response_id` (the endpoint prepends the stored conversation with `prepend(history:)`). Anything
/// else that needs stored state or a built-in tool (`conversation`, `background`, `prompt`, `include`,
/// `item_reference` items, `file_id`s, web search, file search…) is a 400 naming the field. Pure.
public struct ResponsesRequest: Sendable {
    /// The alias the client asked for.
    public var model: String
    /// The equivalent OpenAI chat request (`stream_options.include_usage` set for streams).
    public var chat: JSONObject
    /// `stream: true`.
    public var stream: Bool
    /// The echoed request fields of the `response` object, in the spec's order.
    public var echo: JSONObject
    /// The conversation messages this request adds (its `input`), without `instructions`.
    public var inputMessages: [JSONValue]
    /// The `instructions` system message, if any (instructions are not carried over to later turns).
    public var instructionsMessage: JSONValue?
    /// `previous_response_id`, when the request continues a stored response.
    public var previousResponseID: String?
    /// `store` (default true): whether the response is kept for `previous_response_id` and retrieval.
    public var store: Bool

    /// Reads and validates `body`; throws a 400 `GatewayError` naming the offending field.
    public init(_ body: JSONObject) throws {
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter.", param: "model")
        }
        self.model = model
        try Self.rejectUnsupported(body)
        stream = try Self.bool(body, "stream") ?? false
        store = try Self.bool(body, "store") ?? true
        if let previous = body["previous_response_id"], !previous.isNull {
            guard let id = previous.stringValue, !id.isEmpty else {
                throw GatewayError.invalidRequest(
                    "'previous_response_id' must be a response id.", param: "previous_response_id")
            }
            previousResponseID = id
        }

        if let instructions = body["instructions"], !instructions.isNull {
            guard let text = instructions.stringValue else {
                throw GatewayError.invalidRequest("'instructions' must be a string.", param: "instructions")
            }
            instructionsMessage = ["role": "system", "content": .string(text)]
        }
        inputMessages = try ResponsesInput.messages(body["input"])
        let messages = (instructionsMessage.map { [$0] } ?? []) + inputMessages

        var chat: JSONObject = ["model": .string(model), "messages": .array(messages)]
        if let tools = body["tools"], !tools.isNull {
            let converted = try ResponsesTools.chatTools(tools)
            if !converted.isEmpty { chat["tools"] = .array(converted) }
        }
        if let choice = body["tool_choice"], !choice.isNull {
            chat["tool_choice"] = try ResponsesTools.chatToolChoice(choice)
        }
        if let parallel = try Self.bool(body, "parallel_tool_calls") { chat["parallel_tool_calls"] = .bool(parallel) }
        if let limit = body["max_output_tokens"], !limit.isNull {
            guard let value = limit.intValue, value > 0 else {
                throw GatewayError.invalidRequest(
                    "'max_output_tokens' must be a positive integer.", param: "max_output_tokens")
            }
            chat["max_completion_tokens"] = .number(JSONNumber(value))
        }
        for key in ["temperature", "top_p"] {
            guard let value = body[key], !value.isNull else { continue }
            guard value.doubleValue != nil else {
                throw GatewayError.invalidRequest("'\(key)' must be a number.", param: key)
            }
            chat[key] = value
        }
        try Self.readText(body["text"], into: &chat)
        if let effort = body["reasoning"]?["effort"], !effort.isNull {
            guard effort.stringValue != nil else {
                throw GatewayError.invalidRequest("'reasoning.effort' must be a string.", param: "reasoning.effort")
            }
            chat["reasoning_effort"] = effort
        }
        for key in ["user", "safety_identifier", "prompt_cache_key", "service_tier"] {
            guard let value = body[key], !value.isNull else { continue }
            guard value.stringValue != nil else {
                throw GatewayError.invalidRequest("'\(key)' must be a string.", param: key)
            }
            chat[key] = value
        }
        if let metadata = body["metadata"], !metadata.isNull, metadata.objectValue == nil {
            throw GatewayError.invalidRequest("'metadata' must be an object.", param: "metadata")
        }
        if stream {
            chat["stream"] = true
            chat["stream_options"] = ["include_usage": true]
        }
        self.chat = chat
        echo = Self.echo(body)
        echo["previous_response_id"] = previousResponseID.map(JSONValue.string) ?? .null
        echo["store"] = .bool(store)
    }

    /// Continues a stored conversation: its messages go between `instructions` and this request's input.
    public mutating func prepend(history: [JSONValue]) {
        chat["messages"] = .array((instructionsMessage.map { [$0] } ?? []) + history + inputMessages)
    }

    /// Fields that need stored state, server-side tools or features the chat translation cannot give.
    static func rejectUnsupported(_ body: JSONObject) throws {
        for key in ["conversation", "prompt", "context_management"] {
            if let value = body[key], !value.isNull {
                throw GatewayError.invalidRequest(
                    "'\(key)' is not supported: this gateway does not store conversations or prompts; "
                        + "use previous_response_id or send the whole conversation in 'input'.",
                    param: key, code: "unsupported_parameter")
            }
        }
        if try bool(body, "background") == true {
            throw GatewayError.invalidRequest(
                "'background: true' is not supported: this gateway does not store responses.",
                param: "background", code: "unsupported_parameter")
        }
        if let include = body["include"], !include.isNull {
            guard let values = include.arrayValue else {
                throw GatewayError.invalidRequest("'include' must be an array.", param: "include")
            }
            if let first = values.first {
                throw GatewayError.invalidRequest(
                    "'include' value \(first) is not supported by this gateway.", param: "include[0]",
                    code: "unsupported_parameter")
            }
        }
        if let truncation = body["truncation"]?.stringValue, truncation != "disabled" {
            throw GatewayError.invalidRequest(
                "'truncation: \(truncation)' is not supported; only 'disabled'.", param: "truncation",
                code: "unsupported_parameter")
        }
        if let count = body["max_tool_calls"], !count.isNull {
            throw GatewayError.invalidRequest(
                "'max_tool_calls' is not supported by this gateway.", param: "max_tool_calls",
                code: "unsupported_parameter")
        }
    }

    /// `text.format` → `response_format`; `text.verbosity` → `verbosity`.
    static func readText(_ text: JSONValue?, into chat: inout JSONObject) throws {
        guard let text, !text.isNull else { return }
        guard text.objectValue != nil else {
            throw GatewayError.invalidRequest("'text' must be an object.", param: "text")
        }
        if let verbosity = text["verbosity"], !verbosity.isNull { chat["verbosity"] = verbosity }
        guard let format = text["format"], !format.isNull else { return }
        switch format["type"]?.stringValue {
        case "text":
            return
        case "json_object":
            chat["response_format"] = ["type": "json_object"]
        case "json_schema":
            guard let name = format["name"]?.stringValue, let schema = format["schema"], schema.objectValue != nil
            else {
                throw GatewayError.invalidRequest(
                    "'text.format' of type json_schema needs a 'name' and a 'schema' object.", param: "text.format")
            }
            var spec: JSONObject = ["name": .string(name)]
            if let description = format["description"], !description.isNull { spec["description"] = description }
            spec["schema"] = schema
            if let strict = format["strict"], !strict.isNull { spec["strict"] = strict }
            chat["response_format"] = ["type": "json_schema", "json_schema": .object(spec)]
        default:
            throw GatewayError.invalidRequest(
                "'text.format.type' must be one of text, json_object or json_schema.", param: "text.format.type")
        }
    }

    /// The request fields the `response` object repeats (defaults where the client gave none).
    static func echo(_ body: JSONObject) -> JSONObject {
        func given(_ key: String) -> JSONValue? {
            guard let value = body[key], !value.isNull else { return nil }
            return value
        }
        var echo: JSONObject = [
            "instructions": given("instructions") ?? .null,
            "max_output_tokens": given("max_output_tokens") ?? .null,
            "parallel_tool_calls": given("parallel_tool_calls") ?? true,
            "previous_response_id": .null,
            "reasoning": given("reasoning") ?? .null,
            "store": false,
            "temperature": given("temperature") ?? .null,
            "text": given("text") ?? ["format": ["type": "text"]],
            "tool_choice": given("tool_choice") ?? "auto",
            "tools": .array((given("tools")?.arrayValue ?? []).map(echoTool)),
            "top_p": given("top_p") ?? .null,
            "truncation": "disabled",
            "metadata": given("metadata") ?? [:],
        ]
        for key in ["user", "safety_identifier", "prompt_cache_key", "service_tier"] {
            if let value = given(key) { echo[key] = value }
        }
        return echo
    }

    /// A function tool as the `response` object lists it: `strict`, `parameters` and `description` always
    /// present (null when the client gave none).
    static func echoTool(_ tool: JSONValue) -> JSONValue {
        guard case .object(var object) = tool, object["type"] == "function" else { return tool }
        for key in ["description", "parameters", "strict"] where object[key] == nil { object[key] = .null }
        return .object(object)
    }

    static func bool(_ body: JSONObject, _ key: String) throws -> Bool? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            throw GatewayError.invalidRequest("'\(key)' must be a boolean.", param: key)
        }
        return flag
    }
}
