import NIOCore

/// A streamed answer to one invocation (`Lambda-Runtime-Function-Response-Mode: streaming`): each write goes to the
/// Runtime API as a chunk at once. Nothing is sent before the first byte, so a failure before it is reported as an
/// invocation error; after it, `fail` ends the stream with the `Lambda-Runtime-Function-Error-Type` and
/// `Lambda-Runtime-Function-Error-Body` trailers.
///
/// Use from one task at a time (writes are sent in the order they are made).
public actor LambdaResponseStream {
    public nonisolated let requestID: String
    public nonisolated let contentType: String
    let client: LambdaRuntimeClient
    var state = ResponseStreamState()
    var connection: StreamingConnection?
    /// Sent as the first chunk, just before the first body bytes (or at `finish`): a failure before the body
    /// still becomes an invocation error.
    var prefix: ByteBuffer?

    init(client: LambdaRuntimeClient, requestID: String, contentType: String, prefix: [UInt8]? = nil) {
        self.client = client
        self.requestID = requestID
        self.contentType = contentType
        self.prefix = prefix.map { ByteBuffer(bytes: $0) }
    }

    /// Whether bytes have been sent (a failure can then only end the stream with error trailers).
    public var hasSentBytes: Bool { state.hasSentBytes }

    /// Whether `finish` or `fail` was called.
    public var isComplete: Bool { state.phase == .finished || state.phase == .failed }

    public func write(_ buffer: ByteBuffer) async throws {
        switch state.write(byteCount: buffer.readableBytes) {
        case .none:
            return
        case .reject:
            throw LambdaRuntimeError.alreadyResponded
        case .open:
            let opened: StreamingConnection
            do {
                opened = try await client.openStream(requestID: requestID, contentType: contentType)
            } catch {
                state.openFailed()
                throw error
            }
            connection = opened
            try await guarded {
                if let prefix { try await opened.write(prefix) }
                try await opened.write(buffer)
            }
            prefix = nil
        case .send:
            guard let connection else { throw LambdaRuntimeError.connectionClosed }
            try await guarded { try await connection.write(buffer) }
        }
    }

    public func write(_ bytes: [UInt8]) async throws {
        try await write(ByteBuffer(bytes: bytes))
    }

    /// Ends the stream successfully.
    public func finish() async throws {
        switch state.finish() {
        case .reject:
            throw LambdaRuntimeError.alreadyResponded
        case .openAndEnd:
            let opened = try await client.openStream(requestID: requestID, contentType: contentType)
            if let prefix {
                do {
                    try await opened.write(prefix)
                } catch {
                    opened.close()
                    throw error
                }
            }
            try await opened.end(trailers: nil, path: LambdaRuntimeAPI.responsePath(requestID: requestID))
        case .end:
            guard let connection else { throw LambdaRuntimeError.connectionClosed }
            try await connection.end(trailers: nil, path: LambdaRuntimeAPI.responsePath(requestID: requestID))
        }
    }

    /// Ends the invocation with `error`: an invocation error before any byte, the error trailers after.
    public func fail(_ error: any Error) async throws {
        let reported = LambdaFunctionError(error)
        switch state.fail() {
        case .reject:
            throw LambdaRuntimeError.alreadyResponded
        case .reportInvocationError:
            try await client.invocationError(requestID: requestID, error: reported)
        case .endWithTrailers:
            guard let connection else { throw LambdaRuntimeError.connectionClosed }
            try await connection.end(
                trailers: LambdaRuntimeAPI.errorTrailers(reported),
                path: LambdaRuntimeAPI.responsePath(requestID: requestID))
        }
    }

    /// Runs `body`; if it throws, the connection is closed and the stream is over.
    private func guarded<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            state.broken()
            connection?.close()
            throw error
        }
    }
}
