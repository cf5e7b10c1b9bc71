import AsyncHTTPClient
import GatewayAWS
import GatewayCore
import GatewaySchema
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AWS Bedrock's Converse and ConverseStream APIs behind OpenAI's chat API (`provider: bedrock`). Requests are
/// SigV4-signed (service `bedrock`) with credentials from `BedrockCredentials`; the model id (or inference
/// profile ARN) goes in the path, percent-encoded, and streams arrive as AWS event-stream frames.
public struct BedrockProvider: Provider {
    let http: UpstreamHTTP
    let credentials: BedrockCredentials
    let endpoint: Endpoint
    let signer: SigV4Signer
    let defaultMaxTokens: Int

    /// Where requests go: `scheme://authority` plus an optional path prefix.
    struct Endpoint: Sendable {
        var origin: String
        var authority: String
        var pathPrefix: String

        init(_ baseURL: String) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            let rest: Substring
            if let http = ["https://", "http://"].first(where: { base.hasPrefix($0) }) {
                rest = base.dropFirst(http.count)
            } else {
                rest = base[...]
            }
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[..<slash])
            pathPrefix = String(rest[slash...])
            origin = String(base[..<slash])
        }
    }

    public init(
        http: UpstreamHTTP, credentials: BedrockCredentials, region: String, baseURL: String?, defaultMaxTokens: Int
    ) {
        self.http = http
        self.credentials = credentials
        self.endpoint = Endpoint(baseURL ?? "https://bedrock-runtime.\(region).amazonaws.com")
        self.signer = SigV4Signer(region: region, service: "bedrock")
        self.defaultMaxTokens = defaultMaxTokens
    }

    /// The signed request: URL, headers, body, and what the response translation needs.
    func prepare(
        _ call: ProviderCall, operation: String
    ) async throws -> (url: String, headers: HTTPHeaders, body: [UInt8], context: BedrockRequest.Context) {
        guard call.endpoint == .chat else {
            throw ProviderError(.badRequest, message: "bedrock chat models serve chat completions only")
        }
        let (body, context) = try BedrockRequest.translate(
            call.body, model: call.target.model, defaultMaxTokens: defaultMaxTokens)
        let bytes = JSONValue.object(body).serialized()
        let accept = operation == "converse-stream" ? "application/vnd.amazon.eventstream" : "application/json"
        let (url, headers) = try await signed(call, operation: operation, body: bytes, accept: accept)
        return (url, headers, bytes, context)
    }

    /// URL and SigV4-signed headers for `POST /model/{model}/{operation}`.
    func signed(
        _ call: ProviderCall, operation: String, body: [UInt8], accept: String
    ) async throws -> (url: String, headers: HTTPHeaders) {
        let path = endpoint.pathPrefix + "/model/" + AWSPath.encodeSegment(call.target.model) + "/" + operation
        let unsigned: [(name: String, value: String)] = [
            ("host", endpoint.authority), ("content-type", "application/json"), ("accept", accept),
        ]
        let awsCredentials = try await credentials.credentials(keyID: call.target.keyID)
        let signature = signer.sign(
            SigV4Request(method: "POST", path: path, headers: unsigned, payload: .bytes(body)),
            credentials: awsCredentials, date: Date())
        var headers = HTTPHeaders()
        for (name, value) in unsigned + signature.headers { headers.add(name: name, value: value) }
        headers.add(name: "x-request-id", value: call.requestID)
        return (endpoint.origin + path, headers)
    }

    /// Embeddings through InvokeModel (Titan Text Embeddings, Cohere Embed): one call per Titan input or per
    /// 96 Cohere inputs, at most four at a time, answers reassembled in input order.
    public func embed(_ call: ProviderCall) async throws -> ProviderResult {
        let family = try BedrockEmbeddings.family(call.target.model)
        let base64 = try EmbeddingShapes.wantsBase64(call.body)
        let requests = try BedrockEmbeddings.requests(call.body, family: family)
        var answers = [(vectors: [[JSONValue]], tokens: Int)?](repeating: nil, count: requests.count)
        try await withThrowingTaskGroup(of: (Int, [[JSONValue]], Int).self) { group in
            var next = 0
            func start() {
                guard next < requests.count else { return }
                let index = next
                next += 1
                group.addTask { try await invoke(requests[index], call: call, family: family, index: index) }
            }
            for _ in 0..<min(4, requests.count) { start() }
            for try await (index, vectors, tokens) in group {
                answers[index] = (vectors, tokens)
                start()
            }
        }
        let vectors = answers.flatMap { $0?.vectors ?? [] }
        let tokens = answers.reduce(0) { $0 + ($1?.tokens ?? 0) }
        let body = EmbeddingShapes.list(vectors, base64: base64, promptTokens: tokens)
        return ProviderResult(body: body, usage: Usage(promptTokens: tokens, completionTokens: 0))
    }

    func invoke(
        _ request: JSONObject, call: ProviderCall, family: BedrockEmbeddings.Family, index: Int
    ) async throws -> (Int, [[JSONValue]], Int) {
        let bytes = JSONValue.object(request).serialized()
        let (url, headers) = try await signed(call, operation: "invoke", body: bytes, accept: "application/json")
        let response = try await http.postJSON(url: url, headers: headers, body: bytes, stream: false)
        let body = Array(buffer: try await http.collect(response))
        guard response.status == .ok else {
            throw BedrockErrors.error(
                status: Int(response.status.code), errorType: response.headers.first(name: "x-amzn-errortype"),
                body: body)
        }
        guard case .object(let answer)? = try? JSONParser.parse(body) else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the upstream answered with invalid JSON")
        }
        let (vectors, bodyTokens) = try BedrockEmbeddings.vectors(answer, family: family)
        // Bedrock reports every InvokeModel's input tokens in a header; Titan also in the body.
        let headerTokens = response.headers.first(name: "x-amzn-bedrock-input-token-count").flatMap { Int($0) }
        return (index, vectors, bodyTokens ?? headerTokens ?? 0)
    }

    public func send(_ call: ProviderCall) async throws -> ProviderResult {
        let request = try await prepare(call, operation: "converse")
        let response = try await http.postJSON(
            url: request.url, headers: request.headers, body: request.body, stream: false)
        let body = Array(buffer: try await http.collect(response))
        guard response.status == .ok else {
            throw BedrockErrors.error(
                status: Int(response.status.code), errorType: response.headers.first(name: "x-amzn-errortype"),
                body: body)
        }
        guard case .object(let object)? = try? JSONParser.parse(body) else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the upstream answered with invalid JSON")
        }
        return try BedrockResponse.translate(object, context: request.context)
    }

    public func stream(_ call: ProviderCall) async throws -> StartedStream {
        let request = try await prepare(call, operation: "converse-stream")
        let http = self.http
        let report = UsageReport()
        return try await StartedStream.start(reporting: report) { yield, started in
            let response = try await http.postJSON(
                url: request.url, headers: request.headers, body: request.body, stream: true)
            guard response.status == .ok else {
                let errorBody = Array(buffer: try await http.collect(response, limit: 256 * 1024))
                throw BedrockErrors.error(
                    status: Int(response.status.code), errorType: response.headers.first(name: "x-amzn-errortype"),
                    body: errorBody)
            }
            var translator = BedrockStream(context: request.context)
            var decoder = EventStreamDecoder()
            do {
                for try await buffer in response.body {
                    let messages: [EventStreamMessage]
                    do {
                        messages = try decoder.feed(buffer.readableBytesView)
                    } catch {
                        throw ProviderError(.invalidResponse, message: "the upstream sent a corrupt event-stream frame")
                    }
                    for message in messages {
                        switch message.messageType {
                        case "exception":
                            throw BedrockErrors.streamException(
                                type: message.exceptionType ?? "unknown", payload: message.payload)
                        case "error":
                            throw ProviderError(
                                .upstreamServerError,
                                message: Sanitizer.clientSafe(
                                    message.errorMessage ?? message.errorCode ?? "stream error"))
                        default:
                            guard let type = message.eventType,
                                case .object(let payload)? = try? JSONParser.parse(message.payload)
                            else {
                                throw ProviderError(
                                    .invalidResponse, message: "the upstream sent an invalid stream event")
                            }
                            let chunks = translator.translate(eventType: type, payload: payload)
                            report.update(translator.usage)
                            for chunk in chunks { yield(chunk) }
                            if !chunks.isEmpty { started() }
                            if translator.finished { return }
                        }
                    }
                }
            } catch {
                throw UpstreamHTTP.map(error)
            }
            throw ProviderError(.connectError, message: "the upstream stream ended before its metadata event")
        }
    }
}
