import AsyncHTTPClient
import GatewayCore
import GatewaySchema
import NIOCore
import NIOHTTP1

/// OpenAI and every OpenAI-compatible server (Gemini, Vertex, vLLM, Ollama, Groq…): the request goes upstream
/// unchanged except for `model` (and, for streams, `stream_options.include_usage`, so usage is always known).
///
/// `endpoint_mode` picks the upstream endpoint for chat requests: `chat`, `completions` (translated both ways),
/// or `auto` (chat first; completions only after an endpoint-compatibility error).
public struct OpenAIProvider: Provider {
    /// A server's changes to an outgoing request body (after the model is set).
    public typealias Dialect = @Sendable (inout JSONObject) -> Void
    /// A source of bearer tokens, for servers that take OAuth tokens instead of keys (Vertex AI).
    public typealias TokenSource = @Sendable () async throws -> String

    let http: UpstreamHTTP
    let baseURL: String
    let name: String
    let dialect: Dialect?
    let tokens: TokenSource?

    public init(
        http: UpstreamHTTP, baseURL: String, name: String, dialect: Dialect? = nil, tokens: TokenSource? = nil
    ) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.name = name
        self.dialect = dialect
        self.tokens = tokens
    }

    /// The upstream body for `upstream`: translated, with the target's model, in the server's dialect; for a
    /// stream, asking for usage. A body that needs none of that but the model (and the stream members) is the
    /// client's text with those members replaced.
    func upstreamBody(_ call: ProviderCall, upstream: ProviderEndpoint, stream: Bool = false) throws -> [UInt8] {
        var replacements: [(key: String, value: JSONValue)] = [("model", .string(call.target.model))]
        if stream {
            var options = call.document["stream_options"]?.objectValue ?? JSONObject()
            options["include_usage"] = true
            replacements += [("stream", true), ("stream_options", .object(options))]
        }
        if upstream == call.endpoint, dialect == nil, let text = call.document.text {
            return text.serialized(replacing: replacements)
        }
        var body = try CompletionsTranslation.request(call.body, from: call.endpoint, to: upstream)
        for (key, value) in replacements { body[key] = value }
        dialect?(&body)
        return JSONValue.object(body).serialized()
    }

    /// Which upstream endpoint serves a call, given the target's mode.
    func upstreamEndpoints(for call: ProviderCall) -> [ProviderEndpoint] {
        switch (call.endpoint, call.target.endpointMode) {
        case (.embeddings, _), (.imageGenerations, _), (.imageEdits, _), (.imageVariations, _), (.speech, _),
            (.transcriptions, _),
            (.translations, _):
            return [call.endpoint]
        case (.chat, .chat): return [.chat]
        case (.chat, .completions): return [.completions]
        case (.chat, .auto): return [.chat, .completions]
        case (.completions, .chat): return [.chat]
        case (.completions, _): return [.completions]
        }
    }

    /// Tries the target's upstream endpoints in order, moving on only after an endpoint-compatibility error.
    func firstCompatible<T>(_ call: ProviderCall, _ attempt: (ProviderEndpoint) async throws -> T) async throws -> T {
        let endpoints = upstreamEndpoints(for: call)
        for (index, upstream) in endpoints.enumerated() {
            do {
                return try await attempt(upstream)
            } catch let error as ProviderError where error.kind == .endpointNotSupported && index + 1 < endpoints.count
            {
                continue
            }
        }
        throw ProviderError(.invalidResponse, message: "no endpoint answered")
    }

    public func send(_ call: ProviderCall) async throws -> ProviderResult {
        try await firstCompatible(call) { try await send(call, upstream: $0) }
    }

    func send(_ call: ProviderCall, upstream: ProviderEndpoint) async throws -> ProviderResult {
        let response = try await http.postJSON(
            url: "\(baseURL)/\(upstream.rawValue)", headers: try await headers(call),
            body: try upstreamBody(call, upstream: upstream), stream: false)
        return try result(of: response, body: Array(buffer: try await http.collect(response)), call, upstream: upstream)
    }

    /// A buffered call's result from the upstream's answer to `upstream`: the client's error for anything but a
    /// 200, else the answer (translated back to the call's endpoint when it went to another).
    func result(
        of response: UpstreamResponse, body bytes: [UInt8], _ call: ProviderCall, upstream: ProviderEndpoint
    ) throws -> ProviderResult {
        guard response.status == .ok else {
            throw OpenAIErrors.error(
                status: Int(response.status.code), body: bytes, retryAfter: response.headers.first(name: "retry-after"))
        }
        if upstream == call.endpoint, let text = try? JSONObjectText.skim(bytes) {
            return ProviderResult(text: text, usage: Usage(text["usage"]))
        }
        guard case .object(let object)? = try? JSONParser.parse(bytes) else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the upstream answered with invalid JSON")
        }
        let translated = CompletionsTranslation.response(object, from: upstream, to: call.endpoint)
        return ProviderResult(body: translated, usage: Usage(translated["usage"]))
    }

    /// The event-loop fast path's part (`UpstreamHTTP.postJSONNow`): for a buffered call to a pooled (plain-HTTP)
    /// upstream whose one endpoint is the call's own and whose headers need no token source, the request `send`
    /// would make; nil for any other call.
    public func immediateRequest(_ call: ProviderCall) -> (url: String, headers: HTTPHeaders, body: [UInt8])? {
        let url = "\(baseURL)/\(call.endpoint.rawValue)"
        guard tokens == nil, upstreamEndpoints(for: call) == [call.endpoint], http.isPooled(url),
            let body = try? upstreamBody(call, upstream: call.endpoint)
        else { return nil }
        return (url, headers(call, bearer: call.credential), body)
    }

    /// `send`'s result for the answer to an `immediateRequest`.
    public func immediateResult(of response: UpstreamResponse, _ call: ProviderCall) throws -> ProviderResult {
        let body: [UInt8]
        switch response.body.source {
        case .whole(let buffer): body = Array(buffer: buffer)
        case .stream, .client: throw ProviderError(.invalidResponse, message: "the upstream's answer was not buffered")
        }
        return try result(of: response, body: body, call, upstream: call.endpoint)
    }

    public func embed(_ call: ProviderCall) async throws -> ProviderResult {
        try await send(call, upstream: .embeddings)
    }

    public func stream(_ call: ProviderCall) async throws -> StartedStream {
        try await firstCompatible(call) { try await stream(call, upstream: $0) }
    }

    func stream(_ call: ProviderCall, upstream: ProviderEndpoint) async throws -> StartedStream {
        let bytes = try upstreamBody(call, upstream: upstream, stream: true)
        let url = "\(baseURL)/\(upstream.rawValue)"
        let headers = try await headers(call)
        let http = self.http
        let endpoint = call.endpoint
        return try await StartedStream.start(chunks: { yield, started in
            let response = try await http.postJSON(url: url, headers: headers, body: bytes, stream: true)
            guard response.status == .ok else {
                let errorBody = Array(buffer: try await http.collect(response, limit: 256 * 1024))
                throw OpenAIErrors.error(
                    status: Int(response.status.code), body: errorBody,
                    retryAfter: response.headers.first(name: "retry-after"))
            }
            var translator = CompletionsTranslation.StreamTranslator(from: upstream, to: endpoint)
            var indexer = ToolCallIndexer()
            var decoder = SSEDecoder()
            do {
                for try await buffer in response.body {
                    let events = try buffer.withUnsafeReadableBytes { try decoder.feed($0) }
                    for event in events {
                        if event.data == "[DONE]" { return }
                        if upstream == endpoint, let text = Self.passThrough(event.data) {
                            yield(.text(text))
                            started()
                            continue
                        }
                        guard case .object(var chunk)? = try? JSONParser.parse(event.data) else {
                            throw ProviderError(.invalidResponse, message: "the upstream sent an invalid stream event")
                        }
                        if let error = chunk["error"] {
                            let message = error["message"]?.stringValue.map(Sanitizer.clientSafe) ?? "stream error"
                            throw ProviderError(.upstreamServerError, message: message)
                        }
                        indexer.normalize(&chunk)
                        for translated in translator.translate(chunk) { yield(.object(translated)) }
                        started()
                    }
                }
            } catch {
                throw UpstreamHTTP.map(error)
            }
            throw ProviderError(.connectError, message: "the upstream stream ended before [DONE]")
        })
    }

    /// A stream event that can go to the client as the upstream wrote it (with `id`, `created`, `model` and
    /// `usage` replaced by the relay): a JSON object on one line that repeats no key, is not an error and carries
    /// no tool call (`ToolCallIndexer` must see every one). Anything else, invalid JSON included, is parsed.
    static func passThrough(_ data: String) -> JSONObjectText? {
        var data = data
        return data.withUTF8 { utf8 -> JSONObjectText? in
            guard !SSEEncoder.containsLineBreak(utf8),
                ByteScan.firstIndex(of: Self.toolCalls, in: UnsafeRawBufferPointer(utf8)) == nil
            else { return nil }
            guard let text = try? JSONObjectText.skim(Array(utf8)), !text.contains("error") else { return nil }
            return text
        }
    }

    static let toolCalls: [UInt8] = Array("\"tool_calls\"".utf8)

    func headers(_ call: ProviderCall) async throws -> HTTPHeaders {
        headers(call, bearer: try await tokens?() ?? call.credential)
    }

    func headers(_ call: ProviderCall, bearer: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let bearer { headers.add(name: "authorization", value: "Bearer \(bearer)") }
        headers.add(name: "accept", value: "application/json, text/event-stream")
        headers.add(name: "x-request-id", value: call.requestID)
        return headers
    }
}
