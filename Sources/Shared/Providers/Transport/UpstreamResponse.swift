import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// An upstream's answer once its head arrived, whichever client carried it (`HTTP1Pool` for plain-HTTP JSON calls,
/// AsyncHTTPClient otherwise).
public struct UpstreamResponse: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: UpstreamBody

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: UpstreamBody) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    init(_ response: HTTPClientResponse) {
        self.init(status: response.status, headers: response.headers, body: UpstreamBody(.client(response.body)))
    }
}

/// The body of an `UpstreamResponse`, as the buffers that arrive: already whole (a buffered call of `HTTP1Pool`),
/// streamed from a pooled connection, or AsyncHTTPClient's body.
public struct UpstreamBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    enum Source: Sendable {
        case whole(ByteBuffer)
        case stream(AsyncThrowingStream<ByteBuffer, any Error>)
        case client(HTTPClientResponse.Body)
    }

    let source: Source

    init(_ source: Source) { self.source = source }

    public func makeAsyncIterator() -> AsyncIterator {
        switch source {
        case .whole(let buffer): AsyncIterator(base: .whole(buffer.readableBytes > 0 ? buffer : nil))
        case .stream(let stream): AsyncIterator(base: .stream(stream.makeAsyncIterator()))
        case .client(let body): AsyncIterator(base: .client(body.makeAsyncIterator()))
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Base {
            case whole(ByteBuffer?)
            case stream(AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator)
            case client(HTTPClientResponse.Body.AsyncIterator)
        }

        var base: Base

        public mutating func next() async throws -> ByteBuffer? {
            switch base {
            case .whole(let buffer):
                base = .whole(nil)
                return buffer
            case .stream(var iterator):
                let buffer = try await iterator.next()
                base = .stream(iterator)
                return buffer
            case .client(var iterator):
                let buffer = try await iterator.next()
                base = .client(iterator)
                return buffer
            }
        }
    }

    /// The whole body, refused with `NIOTooManyBytesError` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        if case .whole(let buffer) = source {
            guard buffer.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            return buffer
        }
        var collected = ByteBuffer()
        for try await buffer in self {
            guard collected.readableBytes + buffer.readableBytes <= limit else {
                throw NIOTooManyBytesError(maxBytes: limit)
            }
            var buffer = buffer
            collected.writeBuffer(&buffer)
        }
        return collected
    }
}
