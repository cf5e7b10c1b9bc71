import Foundation
import HTTPTypes
import Hummingbird

/// Routes requests to the fake endpoints, recording the faked APIs' traffic first (see `isRecorded`).
struct FakeResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    static let maxBodySize = 64 * 1024 * 1024

    let state: ServerState
    private let decoder = JSONDecoder()

    init(state: ServerState) {
        self.state = state
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let path = request.uri.path
        let method = request.method
        let body = try await request.collectBody(upTo: Self.maxBodySize)

        if Self.isRecorded(path) { state.recorder?.record(Self.recorded(request, body: body)) }

        if path.hasPrefix(BedrockRoute.prefix) {
            return await BedrockRuntime(state: state).respond(to: request, body: body)
        }
        if S3VectorsService.paths.contains(path) {
            return S3VectorsService(state: state.s3vectors).respond(to: request, body: body)
        }
        switch (method, path) {
        case (.post, "/v1/messages"):
            return await AnthropicMessages(state: state).respond(to: request, body: body)
        case (.post, GoogleTokenEndpoint.path):
            return GoogleTokenEndpoint(state: state).respond(to: request, body: body)
        case (.get, "/_fake/token-count"):
            return JSONResponse.ok(Data("{\"count\":\(state.googleTokens.count)}".utf8))
        case (.post, "/v1/chat/completions"):
            return await handle(ChatCompletionRequest.self, body) { request, behavior in
                ChatCompletions(state: state).respond(to: request, behavior: behavior)
            }
        case (.post, "/v1/completions"):
            return await handle(CompletionRequest.self, body) { request, behavior in
                LegacyCompletions(state: state).respond(to: request, behavior: behavior)
            }
        case (.post, "/v1/embeddings"):
            return await handle(EmbeddingRequest.self, body) { request, _ in
                Embeddings().respond(to: request)
            }
        case (.post, "/v1/images/generations"):
            return await handle(ImageRequest.self, body) { request, _ in FakeImages().respond(to: request) }
        case (.post, "/v1/images/edits"), (.post, "/v1/images/variations"):
            return FakeImageEdits(variations: path.hasSuffix("variations")).respond(
                contentType: request.headers[.contentType] ?? "", body: Array(body.readableBytesView))
        case (.post, "/v1/audio/speech"):
            return await handle(SpeechRequest.self, body) { request, _ in FakeSpeech().respond(to: request) }
        case (.post, "/v1/audio/transcriptions"), (.post, "/v1/audio/translations"):
            return await FakeTranscriptions(translate: path.hasSuffix("translations")).respond(
                contentType: request.headers[.contentType] ?? "", body: Array(body.readableBytesView))
        case (.get, "/v1/models"):
            return JSONResponse.ok(ModelList.body)
        case (.get, "/_fake/requests"):
            return JSONResponse.ok(try state.recorder?.jsonBytes() ?? Data("[]".utf8))
        case (.delete, "/_fake/s3vectors"):
            state.s3vectors.reset()
            return Response(status: .noContent)
        case (.delete, "/_fake/requests"):
            state.recorder?.clear()
            state.flaky.reset()
            state.googleTokens.reset()
            return Response(status: .noContent)
        default:
            return ErrorEnvelope.invalidURL(method: method.rawValue, path: path)
        }
    }

    /// Decodes the body, applies the model-name rules shared by all POST endpoints, then runs `handler`.
    private func handle<Body: Decodable & ModelNamed>(
        _ type: Body.Type, _ body: ByteBuffer, handler: (Body, ModelBehavior) -> Response
    ) async -> Response {
        let decoded: Body
        do {
            decoded = try body.withUnsafeReadableBytes { bytes in
                try decoder.decode(Body.self, from: Data(bytes))
            }
        } catch {
            return ErrorEnvelope.badRequest(error)
        }
        let behavior = ModelBehavior(model: decoded.model)
        if let status = behavior.forcedStatus { return ErrorEnvelope.forcedStatus(status) }
        if let delay = behavior.delayMilliseconds, delay > 0 {
            try? await Task.sleep(for: .milliseconds(delay))
        }
        if let failures = behavior.flakyFailures, state.flaky.shouldFail(model: decoded.model, failures: failures) {
            return ErrorEnvelope.forcedStatus(503)
        }
        return handler(decoded, behavior)
    }

    /// The OpenAI-compatible API, the Anthropic Messages API, Bedrock runtime, S3 Vectors and the Google token
    /// endpoint.
    private static func isRecorded(_ path: String) -> Bool {
        path.hasPrefix("/v1/") || path.hasPrefix(BedrockRoute.prefix) || path == GoogleTokenEndpoint.path
            || S3VectorsService.paths.contains(path)
    }

    private static func recorded(_ request: Request, body: ByteBuffer) -> RecordedRequest {
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count + 1)
        // HTTP/1 `Host` becomes the request's authority; keep it as a header (SigV4 signs it).
        if let authority = request.head.authority { headers.append(("host", authority)) }
        for field in request.headers where field.name != .authorization {
            headers.append((field.name.canonicalName, field.value))
        }
        return RecordedRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query,
            authorization: request.headers[.authorization],
            headers: headers,
            body: body.readableBytes > 0 ? body : nil)
    }
}

/// Request bodies that name a model.
protocol ModelNamed {
    var model: String { get }
}

extension ChatCompletionRequest: ModelNamed {}
extension CompletionRequest: ModelNamed {}
extension EmbeddingRequest: ModelNamed {}
