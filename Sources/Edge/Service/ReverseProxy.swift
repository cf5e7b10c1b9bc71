import AsyncHTTPClient
import GatewayCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The edge's forwarding to the internal services (self-hosted mode): a streaming reverse proxy chosen by path
/// (`InternalService.forPath`). Runs after `EdgeMiddleware`, so only authenticated, admitted requests reach it.
///
/// A request body of up to `bufferBytes` (`server.max_body_bytes`, the limit of every JSON endpoint) is read whole
/// before the service is called, as nginx does by default (`proxy_request_buffering`), and sent with its length:
/// a client that leaves mid-body, sends bad chunked framing or too much is answered (499, 400 `malformed_body`,
/// 413) and audited by the edge alone, as in embedded mode, and never holds a service's connection. A larger body
/// (an audio upload) is streamed; one without a declared length is read up to the largest the service accepts
/// (`largestBodies`). Answers are streamed, never buffered (SSE events reach the client as the service writes
/// them). When the client goes away the service's request is cancelled, which the service sees as a disconnect:
/// while a stream is relayed, and while a buffered answer is awaited once the whole request was sent
/// (`ProxyDeparture`). The caller's API key is not forwarded: the identity goes in headers signed with the shared secret
/// (`IdentitySigner`), which the services verify. A service that cannot be reached answers 503; once a service
/// answered, its audit event is the service's (the edge hands its own off).
public struct ReverseProxy: RouterMiddleware {
    public typealias Context = GatewayRequestContext

    let client: HTTPClient
    let services: [InternalService: String]
    let signer: IdentitySigner
    let clock: any WallClock
    /// The executor the server's tasks prefer (`LoopAffineExecutor`), for the task of a call that may be abandoned:
    /// on it the call's work stays where the request's runs.
    let taskExecutor: (any TaskExecutor)?
    /// Request bodies up to this size are read whole before the service is called.
    let bufferBytes: Int
    /// The largest request body each service accepts, where more than `bufferBytes`: a body without a declared
    /// length is buffered up to it, and a longer one refused with the service's 413.
    let largestBodies: [InternalService: Int]

    /// `services`: base URL (`http://host:port`, no trailing slash) of each internal service.
    public init(
        client: HTTPClient, services: [InternalService: String], signer: IdentitySigner,
        clock: any WallClock = SystemWallClock(), taskExecutor: (any TaskExecutor)? = nil,
        bufferBytes: Int = GatewayConfig.Server().maxBodyBytes, largestBodies: [InternalService: Int] = [:]
    ) {
        self.client = client
        self.taskExecutor = taskExecutor
        self.bufferBytes = bufferBytes
        self.largestBodies = largestBodies
        self.services = services.mapValues { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.signer = signer
        self.clock = clock
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let service = InternalService.forPath(request.uri.path), let base = services[service] else {
            return try await next(request, context)
        }
        var upstream = HTTPClientRequest(url: base + request.uri.description)
        upstream.method = HTTPMethod(rawValue: request.method.rawValue)
        upstream.headers = Self.forwardedHeaders(request.headers)
        upstream.headers.add(name: "x-request-id", value: context.requestID)
        if let identity = context.identity {
            let signed = signer.sign(
                IdentityClaims(
                    identity: identity, requestID: context.requestID, method: request.method.rawValue,
                    path: request.uri.path, issuedAt: clock.now().unixSeconds))
            upstream.headers.add(name: IdentitySigner.identityHeader, value: signed.identity)
            upstream.headers.add(name: IdentitySigner.signatureHeader, value: signed.signature)
        }
        var length = request.headers[.contentLength].flatMap(Int64.init)
        var requestBody = request.body
        if length.map({ $0 <= bufferBytes }) ?? (request.headers[.transferEncoding] != nil) {
            // Within the buffer, or chunked: read whole, with the errors embedded mode gives (413, 400, 499).
            let limit = length == nil ? max(bufferBytes, largestBodies[service] ?? 0) : bufferBytes
            let bytes = try await BodyLimits(maxBytes: limit, maxDepth: 0).readBytes(request)
            requestBody = RequestBody(buffer: bytes)
            length = Int64(bytes.readableBytes)
        }
        let upload = length != nil ? ProxiedRequestBody(requestBody) : nil
        if let upload, let length { upstream.body = .stream(upload, length: .known(length)) }
        let response: HTTPClientResponse
        do {
            response = try await execute(upstream, upload: upload, context: context)
        } catch {
            await upload?.close()
            if context.presence?.hasLeft == true {
                // The client left: mid-body, or while its answer was awaited (`ProxyDeparture`). Once the upload
                // began, the service has the request's head and audits it (a body cut short, or an answer no one
                // receives): its event is the only one.
                if upload?.hasStarted == true { context.audit.handOff() }
                throw GatewayError.clientClosedRequest()
            }
            context.logger.warning(
                "internal service unreachable", metadata: ["service": "\(service)", "error": "\(error)"])
            throw GatewayError.serviceUnavailable("The \(service) service is unavailable; retry shortly.")
        }
        context.audit.handOff()
        var headers = HTTPFields()
        for header in response.headers where !Self.hopByHop.contains(header.name.lowercased()) {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        let contentLength = response.headers.first(name: "content-length").flatMap(Int.init)
        let body = response.body
        return Response(
            status: HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(contentLength: contentLength) { writer in
                // Relayed, the answer lets Hummingbird read the rest of the request body: the upload must not any
                // more (see `ProxiedRequestBody`).
                do {
                    for try await chunk in body { try await writer.write(chunk) }
                    try await writer.finish(nil)
                } catch {
                    await upload?.close()
                    throw error
                }
                await upload?.close()
            })
    }

    /// The call to the service, until its answer's head. A request with a body whose client leaves meanwhile is
    /// abandoned once the whole body went to the service (`ProxyDeparture`), so that the service learns it.
    func execute(
        _ upstream: HTTPClientRequest, upload: ProxiedRequestBody?, context: Context
    ) async throws
        -> HTTPClientResponse
    {
        // Streams can last long: the client's read (idle) timeout bounds a silent service instead.
        let (client, logger) = (client, context.logger)
        guard let upload, let presence = context.presence else {
            return try await client.execute(upstream, timeout: .hours(24), logger: logger)
        }
        let call = Task(executorPreference: taskExecutor) {
            try await client.execute(upstream, timeout: .hours(24), logger: logger)
        }
        let departure = ProxyDeparture { call.cancel() }
        upload.whenComplete { departure.noteRequestSent() }
        let watch = presence.watch { departure.noteClientLeft() }
        if watch == nil { departure.noteClientLeft() }
        defer { if let watch { presence.unwatch(watch) } }
        return try await withTaskCancellationHandler {
            try await call.value
        } onCancel: {
            call.cancel()
        }
    }

    /// Headers that describe one connection (RFC 9110 §7.6.1) and so are not forwarded, plus what only the edge
    /// may set.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length",
    ]
    static let edgeOnly: Set<String> = [
        "authorization", "x-request-id", IdentitySigner.identityHeader, IdentitySigner.signatureHeader,
    ]

    /// The client's headers as the service should see them: no hop-by-hop headers, no API key, no identity headers
    /// a client tried to send.
    static func forwardedHeaders(_ fields: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in fields {
            let name = field.name.canonicalName
            if hopByHop.contains(name) || edgeOnly.contains(name) { continue }
            headers.add(name: name, value: field.value)
        }
        return headers
    }
}
