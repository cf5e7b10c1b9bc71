import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Bedrock runtime: `POST /model/{modelId}/converse` and `/converse-stream` (see `ProviderBehavior`), and
/// `/invoke` for Titan Text Embeddings and Cohere Embed models (`BedrockInvokeEmbeddings`).
///
/// Requires `authorization: AWS4-HMAC-SHA256 Credential=…` and `x-amz-date` (403 UnrecognizedClientException
/// otherwise); the signature itself is verified by the tests from the request log, not here.
struct BedrockRuntime {
    static let amzDateHeader = HTTPField.Name("x-amz-date")!
    static let sigV4Prefix = "AWS4-HMAC-SHA256 Credential="

    let state: ServerState

    func respond(to request: Request, body: ByteBuffer) async -> Response {
        guard request.method == .post, let route = BedrockRoute(path: request.uri.path) else {
            return BedrockErrors.unknownOperation(path: request.uri.path)
        }
        guard let authorization = request.headers[.authorization], authorization.hasPrefix(Self.sigV4Prefix),
            request.headers[Self.amzDateHeader] != nil
        else { return BedrockErrors.unrecognizedClient() }
        if route.operation == .invoke {
            if let status = ProviderBehavior(model: route.modelID).forcedStatus {
                return BedrockErrors.forcedStatus(status)
            }
            return BedrockInvokeEmbeddings.respond(model: route.modelID, body: body)
        }
        let decoded: BedrockConverseRequest
        do {
            decoded = try JSONDecoder().decode(BedrockConverseRequest.self, from: Data(body.readableBytesView))
        } catch {
            return BedrockErrors.response(status: 400, type: "ValidationException", message: "Malformed input request")
        }

        let behavior = ProviderBehavior(model: route.modelID)
        if let status = behavior.forcedStatus { return BedrockErrors.forcedStatus(status) }
        if behavior.notReady { return BedrockErrors.modelNotReady() }
        if let delay = behavior.delayMilliseconds, delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        if let failures = behavior.flakyFailures, state.flaky.shouldFail(model: route.modelID, failures: failures) {
            return BedrockErrors.forcedStatus(503)
        }

        let reply = AssistantReply(decoded.replyInput, behavior: behavior, toolIDPrefix: "tooluse_fake_")
        let latency = 42 + (behavior.delayMilliseconds ?? 0)
        let headers: HTTPFields = [BedrockErrors.requestIDHeader: UUID().uuidString.lowercased()]
        switch route.operation {
        case .converse:
            var fields = headers
            fields[.contentType] = "application/json"
            let json = BedrockConverseJSON.response(reply, latencyMs: latency)
            return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: json.byteBuffer))
        case .invoke:
            return BedrockErrors.unknownOperation(path: request.uri.path)
        case .converseStream:
            let frames = BedrockConverseStream.frames(reply, latencyMs: latency, failure: behavior.midstream)
            return StreamedResponse.make(
                frames, contentType: "application/vnd.amazon.eventstream",
                delayMilliseconds: state.streamDelayMilliseconds, headers: headers)
        }
    }
}
