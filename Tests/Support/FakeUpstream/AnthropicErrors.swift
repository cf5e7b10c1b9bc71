import HTTPTypes
import Hummingbird

/// Anthropic error responses: `{"type":"error","error":{"type":…,"message":…},"request_id":…}`.
enum AnthropicErrors {
    static func response(
        status: Int, type: String, message: String, requestID: String, extraHeaders: HTTPFields = [:]
    ) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[AnthropicMessages.requestIDHeader] = requestID
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: envelope(type: type, message: message, requestID: requestID).byteBuffer))
    }

    static func envelope(type: String, message: String, requestID: String) -> JSONText {
        var json = JSONText(capacity: 160)
        json.raw("{\"type\":\"error\",\"error\":{\"type\":")
        json.string(type)
        json.raw(",\"message\":")
        json.string(message)
        json.raw("},\"request_id\":")
        json.string(requestID)
        json.raw("}")
        return json
    }

    /// Anthropic's error type for an HTTP status.
    static func type(forStatus status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 402: "billing_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 504: "timeout_error"
        case 529: "overloaded_error"
        case 500..<600: "api_error"
        default: "invalid_request_error"
        }
    }

    /// The error a `status-NNN` (or failing `flaky-N`) model produces; 429 carries `retry-after: 1`.
    static func forcedStatus(_ status: Int, requestID: String) -> Response {
        var headers: HTTPFields = [:]
        if status == 429 { headers[.retryAfter] = "1" }
        return response(
            status: status, type: type(forStatus: status), message: "fake upstream error \(status)",
            requestID: requestID, extraHeaders: headers)
    }
}
