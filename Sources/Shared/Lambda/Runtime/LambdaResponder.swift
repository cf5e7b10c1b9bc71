import NIOCore

/// How a handler answers its invocation: once in one piece (`respond`), or as a stream (`stream`,
/// `streamHTTPIntegration`). What the handler leaves undone the runtime completes: an unfinished stream is finished,
/// an invocation with no answer gets an empty one, and a thrown error becomes an invocation error (before any
/// streamed byte) or the stream's error trailers (after).
public actor LambdaResponder {
    enum State {
        case pending
        case responded
        case streaming(LambdaResponseStream)
    }

    public nonisolated let requestID: String
    let client: LambdaRuntimeClient
    var state = State.pending

    init(client: LambdaRuntimeClient, requestID: String) {
        self.client = client
        self.requestID = requestID
    }

    /// Answers with `body` in one piece.
    public func respond(_ body: ByteBuffer, contentType: String? = nil) async throws {
        guard case .pending = state else { throw LambdaRuntimeError.alreadyResponded }
        state = .responded
        try await client.respond(requestID: requestID, body: body, contentType: contentType)
    }

    public func respond(_ body: [UInt8], contentType: String? = nil) async throws {
        try await respond(ByteBuffer(bytes: body), contentType: contentType)
    }

    /// Answers an API Gateway proxy event in one piece.
    public func respond(_ response: APIGatewayProxyResponse) async throws {
        try await respond(response.encoded(), contentType: "application/json")
    }

    /// Starts a streamed answer of `contentType`.
    public func stream(contentType: String) throws -> LambdaResponseStream {
        try start(client.streamResponse(requestID: requestID, contentType: contentType))
    }

    private func start(_ stream: LambdaResponseStream) throws -> LambdaResponseStream {
        guard case .pending = state else { throw LambdaRuntimeError.alreadyResponded }
        state = .streaming(stream)
        return stream
    }

    /// Starts a streamed answer for API Gateway (REST, `responseTransferMode: STREAM`); write the body to the
    /// returned stream. `prelude` (status and headers) goes out as the first chunk together with the first body
    /// bytes (or at `finish`), so that a failure before any body byte is still an invocation error (a 502 from
    /// API Gateway) rather than a truncated answer.
    public func streamHTTPIntegration(_ prelude: HTTPIntegrationPrelude) throws -> LambdaResponseStream {
        try start(
            LambdaResponseStream(
                client: client, requestID: requestID, contentType: HTTPIntegrationPrelude.contentType,
                prefix: prelude.encoded()))
    }

    /// Completes what the handler left undone, after it returned (`error` nil) or threw.
    func complete(error: (any Error)?) async throws {
        switch (state, error) {
        case (.pending, .none):
            state = .responded
            try await client.respond(requestID: requestID, body: [])
        case (.pending, .some(let error)):
            state = .responded
            try await client.invocationError(requestID: requestID, error: LambdaFunctionError(error))
        case (.responded, _):
            return
        case (.streaming(let stream), .none):
            if await !stream.isComplete { try await stream.finish() }
        case (.streaming(let stream), .some(let error)):
            if await !stream.isComplete { try await stream.fail(error) }
        }
    }
}
