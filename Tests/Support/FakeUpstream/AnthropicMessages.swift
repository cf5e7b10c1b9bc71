import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/messages`: the Anthropic Messages API, buffered or streamed (see `ProviderBehavior`).
///
/// Requires an API key, as `x-api-key` or (as current SDKs send it) `authorization: Bearer` (401
/// authentication_error otherwise), and `anthropic-version` (400 invalid_request_error, as the real API does).
struct AnthropicMessages {
    static let requestIDHeader = HTTPField.Name("request-id")!
    static let apiKeyHeader = HTTPField.Name("x-api-key")!
    static let versionHeader = HTTPField.Name("anthropic-version")!

    let state: ServerState

    static func hasCredential(_ headers: HTTPFields) -> Bool {
        if let key = headers[apiKeyHeader], !key.isEmpty { return true }
        guard let authorization = headers[.authorization], authorization.hasPrefix("Bearer ") else { return false }
        return authorization.count > "Bearer ".count
    }

    func respond(to request: Request, body: ByteBuffer) async -> Response {
        let requestID = "req_fake\(state.ids.next())"
        guard Self.hasCredential(request.headers) else {
            return AnthropicErrors.response(
                status: 401, type: "authentication_error", message: "x-api-key header is required",
                requestID: requestID)
        }
        guard request.headers[Self.versionHeader] != nil else {
            return AnthropicErrors.response(
                status: 400, type: "invalid_request_error", message: "anthropic-version: header is required",
                requestID: requestID)
        }
        let decoded: AnthropicRequest
        do {
            decoded = try JSONDecoder().decode(AnthropicRequest.self, from: Data(body.readableBytesView))
        } catch {
            return AnthropicErrors.response(
                status: 400, type: "invalid_request_error", message: "invalid request body: \(error)",
                requestID: requestID)
        }

        let behavior = ProviderBehavior(model: decoded.model)
        if let status = behavior.forcedStatus { return AnthropicErrors.forcedStatus(status, requestID: requestID) }
        if let delay = behavior.delayMilliseconds, delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        if let failures = behavior.flakyFailures, state.flaky.shouldFail(model: decoded.model, failures: failures) {
            return AnthropicErrors.forcedStatus(529, requestID: requestID)
        }

        let reply = AssistantReply(decoded.replyInput, behavior: behavior, toolIDPrefix: "toolu_fake_")
        let message = AnthropicMessageJSON(id: "msg_fake\(state.ids.next())", model: decoded.model, reply: reply)
        let headers: HTTPFields = [Self.requestIDHeader: requestID]
        guard decoded.stream == true else {
            var fields = headers
            fields[.contentType] = "application/json"
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: message.buffered().byteBuffer))
        }
        let stream = AnthropicStream(message: message)
        let events = stream.events(failingMidstream: behavior.midstream != nil, requestID: requestID)
        var fields = headers
        fields[.cacheControl] = "no-cache"
        return StreamedResponse.make(
            events, contentType: "text/event-stream; charset=utf-8", delayMilliseconds: state.streamDelayMilliseconds,
            headers: fields)
    }
}
