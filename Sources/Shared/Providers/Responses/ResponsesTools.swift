import GatewayCore
import GatewaySchema

/// Responses tools and tool choice as their chat equivalents. Only function tools exist in the chat
/// translation; built-in tools (web search, file search, code interpreter, computer use, MCP…) are a 400. Pure.
enum ResponsesTools {
    /// `{type: "function", name, description, parameters, strict}` → `{type: "function", function: {…}}`.
    static func chatTools(_ tools: JSONValue) throws -> [JSONValue] {
        guard let list = tools.arrayValue else {
            throw GatewayError.invalidRequest("'tools' must be an array.", param: "tools")
        }
        return try list.enumerated().map { index, tool -> JSONValue in
            let type = tool["type"]?.stringValue ?? "(none)"
            guard type == "function" else {
                throw GatewayError.invalidRequest(
                    "tools[\(index)]: tools of type '\(type)' are not supported by this gateway; only function tools.",
                    param: "tools[\(index)].type", code: "unsupported_parameter")
            }
            guard let name = tool["name"]?.stringValue, !name.isEmpty else {
                throw GatewayError.invalidRequest(
                    "tools[\(index)]: a function tool needs a 'name'.", param: "tools[\(index)].name")
            }
            var function: JSONObject = ["name": .string(name)]
            for key in ["description", "parameters", "strict"] {
                if let value = tool[key], !value.isNull { function[key] = value }
            }
            return ["type": "function", "function": .object(function)]
        }
    }

    /// `auto` / `none` / `required` unchanged; `{type: "function", name}` → `{type: "function", function: {name}}`.
    static func chatToolChoice(_ choice: JSONValue) throws -> JSONValue {
        if let mode = choice.stringValue {
            guard ["auto", "none", "required"].contains(mode) else {
                throw GatewayError.invalidRequest(
                    "'tool_choice' must be auto, none, required or a function.", param: "tool_choice")
            }
            return choice
        }
        guard choice["type"]?.stringValue == "function", let name = choice["name"]?.stringValue else {
            throw GatewayError.invalidRequest(
                "'tool_choice' must be auto, none, required or {\"type\": \"function\", \"name\": …}; "
                    + "other tool choices are not supported by this gateway.",
                param: "tool_choice", code: "unsupported_parameter")
        }
        return ["type": "function", "function": ["name": .string(name)]]
    }
}
