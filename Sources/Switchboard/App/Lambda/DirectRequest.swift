import GatewayCore
import GatewayEdge
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One HTTP request answered by the gateway's router without Hummingbird's server: in AWS mode requests arrive as
/// API Gateway events, and the function answers them through the very routes and middleware the HTTP servers run.
public struct DirectRequest: Sendable {
    public var method: HTTPRequest.Method
    /// Path and query, as a client sent them (`/v1/models?x=1`).
    public var target: String
    public var headers: HTTPFields
    public var body: ByteBuffer
    /// What API Gateway's authorizer established, when it ran.
    public var authorizedKey: AuthorizedKey?

    public init(
        method: HTTPRequest.Method, target: String, headers: HTTPFields, body: ByteBuffer,
        authorizedKey: AuthorizedKey?
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.authorizedKey = authorizedKey
    }
}

/// Answers `DirectRequest`s with a router's responder.
public struct DirectResponder: Sendable {
    let responder: RouterResponder<GatewayRequestContext>
    let logger: Logger

    public init(router: Router<GatewayRequestContext>, logger: Logger) {
        self.responder = router.buildResponder()
        self.logger = logger
    }

    static let hostField = HTTPField.Name("host")!

    /// The response; its body is written by the caller (`write(_:to:)`), which is when a stream is produced.
    public func respond(to request: DirectRequest) async -> Response {
        let head = HTTPRequest(
            method: request.method, scheme: "https", authority: request.headers[Self.hostField], path: request.target,
            headerFields: request.headers)
        let context = GatewayRequestContext(logger: logger, authorizedKey: request.authorizedKey)
        do {
            return try await responder.respond(
                to: Request(head: head, body: RequestBody(buffer: request.body)), context: context)
        } catch let error as any HTTPResponseError {
            // What Hummingbird's server would have answered (an unknown route outside /v1, for example).
            do {
                return try error.response(
                    from: Request(head: head, body: RequestBody(buffer: ByteBuffer())), context: context)
            } catch {
                return GatewayError.from(error, path: head.path ?? "", method: request.method.rawValue).response
            }
        } catch {
            return GatewayError.from(error, path: head.path ?? "", method: request.method.rawValue).response
        }
    }

    /// Writes a response's body through `write`, chunk by chunk, as the routes produce it.
    public static func write(
        _ response: Response, to write: @escaping @Sendable (ByteBuffer) async throws -> Void
    ) async throws {
        try await response.body.write(ClosureBodyWriter(onWrite: write))
    }
}

/// A `ResponseBodyWriter` that hands each buffer to a closure.
struct ClosureBodyWriter: ResponseBodyWriter {
    let onWrite: @Sendable (ByteBuffer) async throws -> Void

    mutating func write(_ buffer: ByteBuffer) async throws { try await onWrite(buffer) }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
