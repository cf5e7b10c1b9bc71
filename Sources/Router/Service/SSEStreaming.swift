import GatewayCore
import GatewayProviders
import HTTPTypes
import Hummingbird

/// What every SSE relay shares: the response headers, the drain registration (so a graceful shutdown can end
/// the stream), and the usage of a stream cut short (the tokens the provider reported before it broke off).
enum SSEStreaming {
    static var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("x-accel-buffering")!] = "no"
        return headers
    }

    /// A 200 SSE response whose body runs `relay` while `started` is registered with `drain`; afterwards, if
    /// no usage was recorded, the usage the provider knew is.
    static func response(
        _ started: StartedStream, audit: AuditRecorder, drain: StreamDrain,
        _ relay: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void
    ) -> Response {
        Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let token = drain.register(started.cancel)
                defer {
                    drain.unregister(token)
                    // Cut short (client gone, upstream failed): log the tokens seen, if the usage chunk never came.
                    if let usage = started.usage?.current {
                        audit.update { if $0.promptTokens == nil { $0.record(usage) } }
                    }
                }
                try await relay(&writer)
            })
    }
}

/// An upstream failure after a stream began, classified for the client and recorded in the audit event
/// (`streamFailed`, the error code).
struct StreamFailure: Sendable {
    /// `server_shutting_down` when the drain ended the stream, else `upstream_stream_error`.
    let code: String
    let message: String
    let shuttingDown: Bool

    init(_ error: any Error, drain: StreamDrain, audit: AuditRecorder) {
        let failure = UpstreamHTTP.map(error)
        shuttingDown = failure.kind == .cancelled && drain.isDraining
        code = shuttingDown ? "server_shutting_down" : "upstream_stream_error"
        message =
            shuttingDown
            ? "The gateway is shutting down; the stream was ended. Retry the request."
            : "The upstream stream failed: \(failure.message)"
        let recorded = code
        audit.update {
            $0.streamFailed = true
            $0.errorCode = recorded
        }
    }
}
