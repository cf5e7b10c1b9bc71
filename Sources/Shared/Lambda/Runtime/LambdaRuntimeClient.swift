import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A client of the Lambda Runtime API (2018-06-01): fetch the next event, answer it (buffered or streamed), report
/// invocation and initialisation errors.
public struct LambdaRuntimeClient: Sendable {
    /// The largest event accepted from `next` (Lambda's own limit is 6 MB).
    public static let maxEventBytes = 8 * 1024 * 1024

    public let endpoint: LambdaRuntimeEndpoint
    let httpClient: HTTPClient

    /// `httpClient` must have no read timeout (see `makeHTTPClient`): `next` is a long poll that waits as long as
    /// the function is frozen between events.
    public init(endpoint: LambdaRuntimeEndpoint, httpClient: HTTPClient) {
        self.endpoint = endpoint
        self.httpClient = httpClient
    }

    /// The endpoint named by `AWS_LAMBDA_RUNTIME_API` in `environment`.
    public static func endpoint(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LambdaRuntimeError) -> LambdaRuntimeEndpoint {
        let value = environment[LambdaRuntimeEndpoint.environmentVariable] ?? ""
        guard let endpoint = LambdaRuntimeEndpoint(value) else { throw .invalidEndpoint(value) }
        return endpoint
    }

    /// An HTTP client fit for the Runtime API: no read timeout (the `next` long poll), no redirects, no
    /// decompression. The caller shuts it down.
    public static func makeHTTPClient(
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup
    ) -> HTTPClient {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: nil),
            connectionPool: .init(), decompression: .disabled)
        return HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
    }

    /// Waits (with no timeout) for the next event.
    public func next() async throws -> LambdaInvocation {
        let path = LambdaRuntimeAPI.nextPath
        let response = try await httpClient.execute(
            HTTPClientRequest(url: endpoint.baseURL + path), deadline: .distantFuture)
        let body = try await response.body.collect(upTo: Self.maxEventBytes)
        guard response.status.code == 200 else {
            throw LambdaRuntimeError.unexpectedStatus(Int(response.status.code), path: path)
        }
        return try LambdaInvocation(headers: response.headers, body: Array(buffer: body))
    }

    /// Answers invocation `requestID` with `body` in one piece.
    public func respond(requestID: String, body: ByteBuffer, contentType: String? = nil) async throws {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        try await post(LambdaRuntimeAPI.responsePath(requestID: requestID), headers: headers, body: body)
    }

    /// Answers invocation `requestID` with `body` in one piece.
    public func respond(requestID: String, body: [UInt8], contentType: String? = nil) async throws {
        try await respond(requestID: requestID, body: ByteBuffer(bytes: body), contentType: contentType)
    }

    /// A streamed answer to invocation `requestID`; nothing is sent before the first byte is written.
    public func streamResponse(requestID: String, contentType: String) -> LambdaResponseStream {
        LambdaResponseStream(client: self, requestID: requestID, contentType: contentType)
    }

    /// Reports that invocation `requestID` failed.
    public func invocationError(requestID: String, error: LambdaFunctionError) async throws {
        try await postError(LambdaRuntimeAPI.errorPath(requestID: requestID), error: error)
    }

    /// Reports that the function could not initialise; the runtime should exit afterwards.
    public func initError(_ error: LambdaFunctionError) async throws {
        try await postError(LambdaRuntimeAPI.initErrorPath, error: error)
    }

    func openStream(requestID: String, contentType: String) async throws -> StreamingConnection {
        try await StreamingConnection.open(
            endpoint: endpoint,
            head: LambdaRuntimeAPI.streamingHead(endpoint: endpoint, requestID: requestID, contentType: contentType),
            group: httpClient.eventLoopGroup)
    }

    private func postError(_ path: String, error: LambdaFunctionError) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: LambdaRuntimeAPI.errorContentType)
        headers.add(name: LambdaRuntimeAPI.Header.errorType, value: LambdaRuntimeAPI.unhandledErrorType)
        try await post(path, headers: headers, body: ByteBuffer(bytes: error.requestBody))
    }

    private func post(_ path: String, headers: HTTPHeaders, body: ByteBuffer) async throws {
        var request = HTTPClientRequest(url: endpoint.baseURL + path)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(body)
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw LambdaRuntimeError.unexpectedStatus(Int(response.status.code), path: path)
        }
    }
}
