import AsyncHTTPClient
import GatewayCore
import GatewaySchema
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The one HTTP client every provider uses: pooled connections, timeouts from configuration, errors mapped to
/// `ProviderError`. Calls to plain-HTTP upstreams go through `HTTP1Pool`, the rest (HTTPS, multipart uploads)
/// through AsyncHTTPClient.
public final class UpstreamHTTP: Sendable {
    /// For buffered calls (and the credential sources' short calls, which set their own deadlines): no read
    /// timeout, the call's deadline bounds it, since a model may think for minutes before a buffered answer's
    /// first byte.
    public let client: HTTPClient
    /// For streams: the stream idle timeout as read timeout.
    let streamClient: HTTPClient
    let pool: HTTP1Pool
    /// Plain-HTTP calls go through `pool` (false: through AsyncHTTPClient too, so that tests can hold both
    /// transports to the same behaviour).
    let usesPool: Bool
    let settings: GatewayConfig.Upstream
    /// Plain-HTTP URLs already taken apart: a provider calls the same few URLs over and over.
    let plainURLs = Mutex<[String: PlainHTTPURL]>([:])

    public convenience init(settings: GatewayConfig.Upstream) { self.init(settings: settings, usesPool: true) }

    init(settings: GatewayConfig.Upstream, usesPool: Bool) {
        self.client = Self.client(settings, readTimeout: nil)
        self.streamClient = Self.client(
            settings, readTimeout: .milliseconds(Int64(settings.streamIdleTimeoutSeconds * 1000)))
        self.pool = HTTP1Pool(
            settings: .init(
                connectTimeout: .milliseconds(Int64(settings.connectTimeoutSeconds * 1000)),
                readTimeout: .milliseconds(Int64(settings.streamIdleTimeoutSeconds * 1000)),
                maxIdlePerOrigin: settings.connectionsPerHost))
        self.usesPool = usesPool
        self.settings = settings
    }

    static func client(_ settings: GatewayConfig.Upstream, readTimeout: TimeAmount?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(settings.connectTimeoutSeconds * 1000)), read: readTimeout)
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.connectionsPerHost)
        configuration.httpVersion = .automatic
        configuration.decompression = .disabled
        // No client spans: with the default (the global no-op tracer) every request still builds its span
        // attributes, a measurable share of a proxied request's CPU.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        await pool.shutdown()
        try? await client.shutdown()
        try? await streamClient.shutdown()
    }

    /// POST a JSON body; returns the response once its head arrived.
    public func postJSON(
        url: String, headers: HTTPHeaders, body: [UInt8], stream: Bool
    ) async throws -> UpstreamResponse {
        try await post(url: url, headers: headers, contentType: "application/json", body: body, stream: stream)
    }

    /// POST a body of any content type (multipart uploads); returns the response once its head arrived.
    public func post(
        url: String, headers: HTTPHeaders, contentType: String, body: [UInt8], stream: Bool
    ) async throws -> UpstreamResponse {
        if let plain = plainURL(url) {
            var headers = headers
            headers.replaceOrAdd(name: "content-type", value: contentType)
            do {
                return try await pool.send(
                    plain, method: .POST, headers: headers, body: ByteBuffer(bytes: body),
                    bufferLimit: stream ? nil : settings.maxResponseBytes,
                    deadline: stream ? nil : .milliseconds(Int64(settings.requestTimeoutSeconds * 1000)))
            } catch {
                throw Self.map(error)
            }
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.headers.replaceOrAdd(name: "content-type", value: contentType)
        request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await execute(request, stream: stream)
    }

    /// Whether calls to `url` go through the pool, on which `postJSONNow` works.
    public func isPooled(_ url: String) -> Bool { plainURL(url) != nil }

    /// For a caller on `loop` (the event-loop fast path): POSTs a JSON body to a plain-HTTP `url` now, on a pooled
    /// connection of that loop (a new one if none is idle), as `postJSONNow` would for a buffered call (same
    /// headers, limit and deadline), and calls `answer` on the loop with the whole response or the unmapped failure
    /// (`map` it; `neverSent` tells a kept-alive connection the upstream had closed). False, with nothing sent, when
    /// `url` is not pooled (`isPooled`).
    public func postJSONNow(
        on loop: any EventLoop, url: String, headers: HTTPHeaders, body: ByteBuffer,
        answer: @escaping (Result<UpstreamResponse, any Error>) -> Void
    ) -> Bool {
        guard let plain = plainURL(url) else { return false }
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        pool.sendNow(
            on: loop, plain, headers: headers, body: body, bufferLimit: settings.maxResponseBytes,
            deadline: .milliseconds(Int64(settings.requestTimeoutSeconds * 1000)), answer: answer)
        return true
    }

    /// Whether a `postJSONNow` failure happened before the upstream could have seen the request (its kept-alive
    /// connection was closed as the request was sent), so that trying again is not a second attempt.
    public static func neverSent(_ error: any Error) -> Bool {
        (error as? HTTP1PoolError) == .closed(beforeResponse: true)
    }

    /// `url` taken apart for `HTTP1Pool`, nil when it is not a plain-HTTP URL.
    func plainURL(_ url: String) -> PlainHTTPURL? {
        guard usesPool else { return nil }
        if let known = plainURLs.withLock({ $0[url] }) { return known }
        guard let plain = PlainHTTPURL(url) else { return nil }
        plainURLs.withLock { known in
            if known.count >= 256 { known.removeAll() }
            known[url] = plain
        }
        return plain
    }

    /// Buffered calls get the whole request deadline; streams are bounded by the idle (read) timeout instead.
    func execute(_ request: HTTPClientRequest, stream: Bool) async throws -> UpstreamResponse {
        do {
            if stream { return UpstreamResponse(try await streamClient.execute(request, timeout: .hours(24))) }
            let deadline = TimeAmount.milliseconds(Int64(settings.requestTimeoutSeconds * 1000))
            return UpstreamResponse(try await client.execute(request, timeout: deadline))
        } catch {
            throw Self.map(error)
        }
    }

    /// POST a multipart form, its body produced as it is sent (`MultipartForm.encodedBody`: spooled uploads are
    /// read from their files, never held whole in memory); returns the response once its head arrived.
    public func post(
        url: String, headers: HTTPHeaders, form: MultipartForm, stream: Bool
    ) async throws
        -> UpstreamResponse
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.headers.replaceOrAdd(name: "content-type", value: form.contentType)
        let body = form.encodedBody()
        request.headers.replaceOrAdd(name: "content-length", value: String(body.length))
        request.body = .stream(body.chunks.map { ByteBuffer(bytes: $0) }, length: .known(Int64(body.length)))
        return try await execute(request, stream: stream)
    }

    /// Read a whole body up to the configured limit.
    public func collect(_ response: UpstreamResponse, limit: Int? = nil) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: limit ?? settings.maxResponseBytes)
        } catch {
            throw Self.map(error)
        }
    }

    /// Map client errors to provider errors.
    public static func map(_ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if error is CancellationError { return ProviderError(.cancelled, message: "the request was cancelled") }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return ProviderError(.timeout, message: "the upstream did not answer in time")
            case .cancelled:
                return ProviderError(.cancelled, message: "the request was cancelled")
            case .remoteConnectionClosed:
                return ProviderError(.connectError, message: "the upstream closed the connection")
            default:
                return ProviderError(.connectError, message: "could not reach the upstream (\(error.shortDescription))")
            }
        }
        if let error = error as? HTTP1PoolError {
            switch error {
            case .timeout: return ProviderError(.timeout, message: "the upstream did not answer in time")
            case .closed: return ProviderError(.connectError, message: "the upstream closed the connection")
            case .tooLarge:
                return ProviderError(.invalidResponse, message: "the upstream response exceeds the size limit")
            case .malformedResponse:
                return ProviderError(.invalidResponse, message: "the upstream's answer is not valid HTTP")
            }
        }
        if case .connectTimeout? = error as? ChannelError {
            return ProviderError(.timeout, message: "the upstream did not answer in time")
        }
        if error is NIOTooManyBytesError {
            return ProviderError(.invalidResponse, message: "the upstream response exceeds the size limit")
        }
        return ProviderError(.connectError, message: "could not reach the upstream (\(type(of: error)))")
    }
}

extension HTTPClientError {
    /// A description that never contains a URL's credentials or a header.
    var shortDescription: String {
        switch self {
        case .connectTimeout: return "connect timeout"
        case .remoteConnectionClosed: return "connection closed"
        case .tlsHandshakeTimeout: return "TLS handshake timeout"
        case .invalidURL: return "invalid URL"
        default: return "connection error"
        }
    }
}
