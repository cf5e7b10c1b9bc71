import AsyncHTTPClient
import GatewayCore
import GatewaySchema
import NIOCore
import NIOHTTP1

/// Images and audio on OpenAI-family upstreams: JSON bodies go upstream unchanged except `model`; uploads keep
/// their form (and boundary) with only the `model` field replaced; speech audio is relayed as it arrives.
extension OpenAIProvider {
    public func generateImages(_ call: ProviderCall) async throws -> ProviderResult {
        try await send(call, upstream: .imageGenerations)
    }

    public func speech(_ call: ProviderCall) async throws -> AudioStream {
        var body = call.body
        body["model"] = .string(call.target.model)
        dialect?(&body)
        var headers = try await headers(call)
        headers.replaceOrAdd(name: "accept", value: "*/*")
        let response = try await http.postJSON(
            url: "\(baseURL)/\(ProviderEndpoint.speech.rawValue)", headers: headers,
            body: JSONValue.object(body).serialized(), stream: true)
        guard response.status == .ok else {
            let bytes = Array(buffer: try await http.collect(response, limit: 256 * 1024))
            throw OpenAIErrors.error(
                status: Int(response.status.code), body: bytes, retryAfter: response.headers.first(name: "retry-after"))
        }
        let contentType =
            response.headers.first(name: "content-type")
            ?? AudioFormat.contentType(forSpeechFormat: call.body["response_format"]?.stringValue)
        return Self.relay(response, contentType: contentType)
    }

    /// The response's body as it arrives, with transport failures as `ProviderError`s.
    static func relay(_ response: UpstreamResponse, contentType: String) -> AudioStream {
        AudioStream(contentType: contentType) { write in
            do {
                for try await chunk in response.body { try await write(chunk) }
            } catch let error as ProviderError {
                throw error
            } catch {
                throw UpstreamHTTP.map(error)
            }
        }
    }

    public func transcribe(_ call: ProviderCall) async throws -> MediaResult {
        try await postUpload(call)
    }

    public func editImages(_ call: ProviderCall) async throws -> ProviderResult {
        try await postImageUpload(call)
    }

    public func varyImages(_ call: ProviderCall) async throws -> ProviderResult {
        try await postImageUpload(call)
    }

    /// An image edit or variation: the form upstream, the JSON answer back.
    func postImageUpload(_ call: ProviderCall) async throws -> ProviderResult {
        let result = try await postUpload(call)
        guard case .object(let object)? = try? JSONParser.parse(result.body) else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the upstream answered with invalid JSON")
        }
        return ProviderResult(body: object, usage: nil)
    }

    /// The uploaded form to `call.endpoint`, with only its `model` field replaced.
    func postUpload(_ call: ProviderCall) async throws -> MediaResult {
        guard var form = call.upload else {
            throw ProviderError(.badRequest, message: "the request has no file")
        }
        form.set("model", to: call.target.model)
        var headers = try await headers(call)
        headers.replaceOrAdd(name: "accept", value: "*/*")
        let streamed = form.field("stream") == "true"
        let response = try await http.post(
            url: "\(baseURL)/\(call.endpoint.rawValue)", headers: headers, form: form, stream: streamed)
        let contentType = response.headers.first(name: "content-type") ?? "application/json"
        if response.status == .ok, contentType.lowercased().hasPrefix("text/event-stream") {
            // A streamed transcript: relayed event by event, as speech audio is.
            return MediaResult(streaming: Self.relay(response, contentType: contentType))
        }
        let bytes = Array(buffer: try await http.collect(response))
        guard response.status == .ok else {
            throw OpenAIErrors.error(
                status: Int(response.status.code), body: bytes, retryAfter: response.headers.first(name: "retry-after"))
        }
        return MediaResult(contentType: contentType, body: bytes)
    }
}
