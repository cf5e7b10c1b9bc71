import Foundation
import HTTPTypes
import Hummingbird

/// Bedrock (AWS rest-json) errors: `{"message":…}` with the error code in `x-amzn-ErrorType`.
enum BedrockErrors {
    static let errorTypeHeader = HTTPField.Name("x-amzn-ErrorType")!
    static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!

    static func response(status: Int, type: String, message: String, extraHeaders: HTTPFields = [:]) -> Response {
        var json = JSONText(capacity: 128)
        json.raw("{\"message\":")
        json.string(message)
        json.raw("}")
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[errorTypeHeader] = "\(type):http://internal.amazon.com/coral/com.amazon.bedrock/"
        headers[requestIDHeader] = UUID().uuidString.lowercased()
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: json.byteBuffer)
        )
    }

    /// The exception (and message) Bedrock answers with for an HTTP status.
    static func exception(forStatus status: Int) -> (type: String, message: String) {
        switch status {
        case 400: ("ValidationException", "The provided request is not valid.")
        case 403: ("AccessDeniedException", "You don't have access to the model with the specified model ID.")
        case 404: ("ResourceNotFoundException", "The specified model could not be found.")
        case 408: ("ModelTimeoutException", "The model did not respond in time.")
        case 424: ("ModelErrorException", "The model returned an error.")
        case 429: ("ThrottlingException", "Too many requests, please wait before trying again.")
        case 503: ("ServiceUnavailableException", "The service is temporarily unavailable.")
        case 500..<600: ("InternalServerException", "The server encountered an internal error.")
        default: ("ValidationException", "fake upstream error \(status)")
        }
    }

    /// The error a `status-NNN` (or failing `flaky-N`: 503) model produces.
    static func forcedStatus(_ status: Int) -> Response {
        let (type, message) = exception(forStatus: status)
        return response(status: status, type: type, message: message)
    }

    static func modelNotReady() -> Response {
        response(
            status: 429, type: "ModelNotReadyException", message: "The model is not ready to serve inference requests.")
    }

    /// Missing or malformed SigV4 authentication (the signature itself is not checked here).
    static func unrecognizedClient() -> Response {
        response(
            status: 403, type: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.")
    }

    static func unknownOperation(path: String) -> Response {
        response(status: 404, type: "UnknownOperationException", message: "Unknown operation \(path)")
    }
}
