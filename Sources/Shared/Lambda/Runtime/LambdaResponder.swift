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
        guard case .pending = state else { throw LambdaRuntimeError.alreadyResponded }
        let stream = client.streamResponse(requestID: requestID, contentType: contentType)
        state = .streaming(stream)
        return stream
    }

    /// Starts a streamed answer for API Gateway (REST, `responseTransferMode: STREAM`) and sends `prelude` (status
    /// and headers) as its first chunk; write the body to the returned stream.
    public func streamHTTPIntegration(_ prelude: HTTPIntegrationPrelude) async throws -> LambdaResponseStream {
        let answer = try stream(contentType: HTTPIntegrationPrelude.contentType)
        try await answer.write(prelude.encoded())
        return answer
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
