import AsyncHTTPClient
import GatewayCore
import GatewaySchema
import NIOCore
import NIOHTTP1

/// The Anthropic Messages API behind OpenAI's chat API (`provider: anthropic`). Authenticates with
/// `x-api-key`; translation lives in `AnthropicRequest`, `AnthropicResponse` and `AnthropicStream`.
public struct AnthropicProvider: Provider {
    let http: UpstreamHTTP
    let settings: GatewayConfig.Anthropic

    public init(http: UpstreamHTTP, settings: GatewayConfig.Anthropic) {
        self.http = http
        self.settings = settings
    }

    var messagesURL: String {
        let base =
            settings.profile.baseURL.hasSuffix("/")
            ? String(settings.profile.baseURL.dropLast()) : settings.profile.baseURL
        return base + "/v1/messages"
    }

    func request(_ call: ProviderCall, stream: Bool) throws -> (bytes: [UInt8], context: AnthropicRequest.Context) {
        guard call.endpoint == .chat else {
            throw ProviderError(.badRequest, message: "anthropic models serve chat completions only")
        }
        let (body, context) = try AnthropicRequest.translate(
            call.body, model: call.target.model, defaultMaxTokens: settings.defaultMaxTokens, stream: stream)
        return (JSONValue.object(body).serialized(), context)
    }

    public func send(_ call: ProviderCall) async throws -> ProviderResult {
        let (bytes, context) = try request(call, stream: false)
        let response = try await http.postJSON(url: messagesURL, headers: headers(call), body: bytes, stream: false)
        let body = Array(buffer: try await http.collect(response))
        guard response.status == .ok else {
            throw AnthropicErrors.error(
                status: Int(response.status.code), body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        guard case .object(let object)? = try? JSONParser.parse(body) else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the upstream answered with invalid JSON")
        }
        return try AnthropicResponse.translate(object, context: context)
    }

    public func stream(_ call: ProviderCall) async throws -> StartedStream {
        let (bytes, context) = try request(call, stream: true)
        let url = messagesURL
        let headers = headers(call)
        let http = self.http
        let report = UsageReport()
        return try await StartedStream.start(reporting: report) { yield, started in
            let response = try await http.postJSON(url: url, headers: headers, body: bytes, stream: true)
            guard response.status == .ok else {
                let errorBody = Array(buffer: try await http.collect(response, limit: 256 * 1024))
                throw AnthropicErrors.error(
                    status: Int(response.status.code), body: errorBody,
                    retryAfter: response.headers.first(name: "retry-after"))
            }
            var translator = AnthropicStream(context: context)
            var decoder = SSEDecoder()
            do {
                for try await buffer in response.body {
                    let events = try buffer.withUnsafeReadableBytes { try decoder.feed($0) }
                    for event in events {
                        guard case .object(let object)? = try? JSONParser.parse(event.data) else {
                            throw ProviderError(.invalidResponse, message: "the upstream sent an invalid stream event")
                        }
                        let chunks = try translator.translate(object)
                        report.update(translator.usage)
                        for chunk in chunks { yield(chunk) }
                        if !chunks.isEmpty { started() }
                        if translator.finished { return }
                    }
                }
            } catch {
                throw UpstreamHTTP.map(error)
            }
            throw ProviderError(.connectError, message: "the upstream stream ended before message_stop")
        }
    }

    func headers(_ call: ProviderCall) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let credential = call.credential { headers.add(name: "x-api-key", value: credential) }
        headers.add(name: "anthropic-version", value: settings.version)
        headers.add(name: "accept", value: "application/json, text/event-stream")
        headers.add(name: "x-request-id", value: call.requestID)
        return headers
    }
}
