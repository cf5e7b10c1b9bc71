import GatewaySchema

/// What Gemini's and Vertex AI's OpenAI-compatible endpoints need changed in an OpenAI request. Everything
/// else goes through unchanged, like for any OpenAI-compatible server.
///
/// - `reasoning_effort: minimal` does not exist there: it becomes `low` (Gemini's smallest thinking budget).
/// - Tool and `response_format` schemas lose the JSON-schema keywords Gemini rejects (`$schema`, `$id`,
///   `additionalProperties`, `strict` inside schemas) — the structure and descriptions stay.
/// - Vertex names models `publisher/model`: a bare `gemini-2.5-pro` becomes `google/gemini-2.5-pro`.
public enum GoogleDialect {
    static let rejectedSchemaKeys: Set<String> = ["$schema", "$id", "additionalProperties", "strict"]

    public static func adjust(_ body: inout JSONObject, vertex: Bool) {
        if body["reasoning_effort"]?.stringValue == "minimal" { body["reasoning_effort"] = "low" }
        if vertex, let model = body["model"]?.stringValue, !model.contains("/") {
            body["model"] = .string("google/" + model)
        }
        if case .array(var tools)? = body["tools"] {
            for index in tools.indices {
                guard case .object(var tool) = tools[index], case .object(var function)? = tool["function"] else {
                    continue
                }
                if let parameters = function["parameters"] { function["parameters"] = clean(parameters) }
                function["strict"] = nil
                tool["function"] = .object(function)
                tools[index] = .object(tool)
            }
            body["tools"] = .array(tools)
        }
        if case .object(var format)? = body["response_format"], case .object(var schema)? = format["json_schema"],
            let inner = schema["schema"]
        {
            schema["schema"] = clean(inner)
            format["json_schema"] = .object(schema)
            body["response_format"] = .object(format)
        }
    }

    /// A schema without the rejected keywords, at every depth. Property *names* are kept, whatever they are.
    static func clean(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let object):
            var out = JSONObject()
            for (key, value) in object where !rejectedSchemaKeys.contains(key) {
                if key == "properties", case .object(let properties) = value {
                    var cleaned = JSONObject()
                    for (name, property) in properties { cleaned[name] = clean(property) }
                    out[key] = .object(cleaned)
                } else {
                    out[key] = clean(value)
                }
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(clean))
        default:
            return schema
        }
    }
}
