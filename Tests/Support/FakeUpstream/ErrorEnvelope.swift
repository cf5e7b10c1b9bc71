import HTTPTypes
import Hummingbird
import NIOCore

/// OpenAI-style error responses: `{"error":{"message","type","param","code"}}`.
enum ErrorEnvelope {
    static func response(
        status: Int, message: String, type: String, param: String? = nil, code: String? = nil,
        extraHeaders: HTTPFields = [:]
    ) -> Response {
        var json = JSONText(capacity: 256)
        json.raw("{\"error\":{\"message\":")
        json.string(message)
        json.raw(",\"type\":")
        json.string(type)
        json.raw(",\"param\":")
        json.stringOrNull(param)
        json.raw(",\"code\":")
        json.stringOrNull(code)
        json.raw("}}")
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: json.byteBuffer)
        )
    }

    /// The error a `status-NNN` (or failing `flaky-N`) model produces.
    static func forcedStatus(_ status: Int) -> Response {
        let (type, code): (String, String?) =
            switch status {
            case 401: ("authentication_error", "invalid_api_key")
            case 403: ("permission_error", nil)
            case 404: ("invalid_request_error", "model_not_found")
            case 409: ("invalid_request_error", "conflict")
            case 422: ("invalid_request_error", nil)
            case 429: ("rate_limit_error", "rate_limit_exceeded")
            case 500..<600: ("server_error", nil)
            default: ("invalid_request_error", nil)
            }
        var headers: HTTPFields = [:]
        if status == 429 { headers[.retryAfter] = "1" }
        return response(
            status: status, message: "fake upstream error \(status)", type: type, code: code, extraHeaders: headers)
    }

    static func invalidURL(method: String, path: String) -> Response {
        response(status: 404, message: "Invalid URL (\(method) \(path))", type: "invalid_request_error")
    }

    static let noChatModel = response(
        status: 404,
        message:
            "This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?",
        type: "invalid_request_error", param: "model")

    /// 400 for a body that is not valid JSON or lacks required fields.
    static func badRequest(_ error: any Error) -> Response {
        if case DecodingError.keyNotFound(let key, let context) = error, context.codingPath.isEmpty {
            return response(
                status: 400, message: "Missing required parameter: '\(key.stringValue)'.",
                type: "invalid_request_error",
                param: key.stringValue, code: "missing_required_parameter")
        }
        if case DecodingError.dataCorrupted = error {
            return response(
                status: 400,
                message:
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
                type: "invalid_request_error")
        }
        return response(
            status: 400, message: "Invalid request body: \(error)", type: "invalid_request_error")
    }
}
