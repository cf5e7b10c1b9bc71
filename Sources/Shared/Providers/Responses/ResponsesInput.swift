import GatewayCore
import GatewaySchema

/// The Responses `input` (a string, or an array of input items) as OpenAI chat messages. Pure.
///
/// - Messages (`type: "message"` or no type) keep their role (user, assistant, system, developer); content
///   parts `input_text` / `output_text` become text parts, `input_image` an `image_url` part, `input_file` with
///   `file_data` a chat `file` part. File ids are a 400 (this gateway has no file store).
/// - `function_call` items become assistant `tool_calls` (consecutive ones in one assistant message);
///   `function_call_output` items become `tool` messages.
/// - `reasoning` items are dropped: no upstream of the chat translation can take them back.
enum ResponsesInput {
    static func messages(_ input: JSONValue?) throws -> [JSONValue] {
        switch input {
        case .string(let text):
            return [["role": "user", "content": .string(text)]]
        case .array(let items):
            var messages: [JSONObject] = []
            for (index, item) in items.enumerated() {
                try add(item, param: "input[\(index)]", to: &messages)
            }
            guard !messages.isEmpty else {
                throw GatewayError.invalidRequest("'input' must contain at least one message.", param: "input")
            }
            return messages.map(JSONValue.object)
        default:
            throw GatewayError.invalidRequest(
                "'input' is required and must be a string or an array of input items.", param: "input")
        }
    }

    static func add(_ item: JSONValue, param: String, to messages: inout [JSONObject]) throws {
        guard item.objectValue != nil else {
            throw GatewayError.invalidRequest("\(param) must be an object.", param: param)
        }
        let type = item["type"]?.stringValue ?? (item["role"] != nil ? "message" : "")
        switch type {
        case "message":
            messages.append(try message(item, param: param))
        case "function_call":
            guard let callID = item["call_id"]?.stringValue, let name = item["name"]?.stringValue else {
                throw GatewayError.invalidRequest("\(param): a function_call needs 'call_id' and 'name'.", param: param)
            }
            let call = ChatShapes.toolCall(id: callID, name: name, arguments: item["arguments"]?.stringValue ?? "{}")
            if var last = messages.last, last["role"]?.stringValue == "assistant",
                case .array(let calls) = last["tool_calls"]
            {
                last["tool_calls"] = .array(calls + [call])
                messages[messages.count - 1] = last
            } else {
                messages.append(["role": "assistant", "content": .null, "tool_calls": [call]])
            }
        case "function_call_output":
            guard let callID = item["call_id"]?.stringValue else {
                throw GatewayError.invalidRequest(
                    "\(param): a function_call_output needs 'call_id'.", param: "\(param).call_id")
            }
            let content: JSONValue
            switch item["output"] {
            case .string(let text): content = .string(text)
            case .array(let parts):
                content = .array(try parts.enumerated().map { try part($1, "\(param).output[\($0)]") })
            default:
                throw GatewayError.invalidRequest(
                    "\(param).output must be a string or an array of content parts.", param: "\(param).output")
            }
            messages.append(["role": "tool", "tool_call_id": .string(callID), "content": content])
        case "reasoning":
            return
        case "item_reference":
            throw GatewayError.invalidRequest(
                "\(param): 'item_reference' items are not supported: this gateway does not store responses.",
                param: param, code: "unsupported_parameter")
        default:
            throw GatewayError.invalidRequest(
                "\(param): input items of type '\(type)' are not supported by this gateway.",
                param: "\(param).type", code: "unsupported_parameter")
        }
    }

    static func message(_ item: JSONValue, param: String) throws -> JSONObject {
        guard let role = item["role"]?.stringValue, ["user", "assistant", "system", "developer"].contains(role) else {
            throw GatewayError.invalidRequest(
                "\(param).role must be one of user, assistant, system or developer.", param: "\(param).role")
        }
        switch item["content"] {
        case .string(let text):
            return ["role": .string(role), "content": .string(text)]
        case .array(let parts):
            let converted = try parts.enumerated().map { try part($1, "\(param).content[\($0)]") }
            return ["role": .string(role), "content": .array(converted)]
        default:
            throw GatewayError.invalidRequest(
                "\(param).content must be a string or an array of content parts.", param: "\(param).content")
        }
    }

    /// One content part as a chat content part.
    static func part(_ part: JSONValue, _ param: String) throws -> JSONValue {
        switch part["type"]?.stringValue {
        case "input_text", "output_text", "text":
            guard let text = part["text"]?.stringValue else {
                throw GatewayError.invalidRequest("\(param).text must be a string.", param: "\(param).text")
            }
            return ["type": "text", "text": .string(text)]
        case "refusal":
            return ["type": "text", "text": .string(part["refusal"]?.stringValue ?? "")]
        case "input_image":
            guard let url = part["image_url"]?.stringValue else {
                throw GatewayError.invalidRequest(
                    part["file_id"] != nil
                        ? "\(param): images by 'file_id' are not supported by this gateway; send 'image_url'."
                        : "\(param): an input_image needs 'image_url'.",
                    param: "\(param).image_url", code: part["file_id"] != nil ? "unsupported_parameter" : nil)
            }
            var image: JSONObject = ["url": .string(url)]
            if let detail = part["detail"], !detail.isNull { image["detail"] = detail }
            return ["type": "image_url", "image_url": .object(image)]
        case "input_file":
            guard let data = part["file_data"]?.stringValue else {
                throw GatewayError.invalidRequest(
                    "\(param): files must be sent inline as 'file_data' (a base64 data URL); 'file_id' and "
                        + "'file_url' are not supported by this gateway.",
                    param: "\(param).file_data", code: "unsupported_parameter")
            }
            var file: JSONObject = ["file_data": .string(data)]
            if let name = part["filename"], !name.isNull { file["filename"] = name }
            return ["type": "file", "file": .object(file)]
        default:
            let type = part["type"]?.stringValue ?? "(none)"
            throw GatewayError.invalidRequest(
                "\(param): content parts of type '\(type)' are not supported by this gateway.",
                param: "\(param).type", code: "unsupported_parameter")
        }
    }
}
