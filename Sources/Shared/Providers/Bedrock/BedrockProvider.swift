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
            throw ProviderError(.badRequest, message: "bedrock models serve chat completions only")
        }
        let (body, context) = try BedrockRequest.translate(
            call.body, model: call.target.model, defaultMaxTokens: defaultMaxTokens)
        let bytes = JSONValue.object(body).serialized()
        let path = endpoint.pathPrefix + "/model/" + AWSPath.encodeSegment(call.target.model) + "/" + operation
        let accept = operation == "converse-stream" ? "application/vnd.amazon.eventstream" : "application/json"
        let unsigned: [(name: String, value: String)] = [
            ("host", endpoint.authority), ("content-type", "application/json"), ("accept", accept),
        ]
        let awsCredentials = try await credentials.credentials(keyID: call.target.keyID)
        let signature = signer.sign(
            SigV4Request(method: "POST", path: path, headers: unsigned, payload: .bytes(bytes)),
            credentials: awsCredentials, date: Date())
        var headers = HTTPHeaders()
        for (name, value) in unsigned + signature.headers { headers.add(name: name, value: value) }
        headers.add(name: "x-request-id", value: call.requestID)
        return (endpoint.origin + path, headers, bytes, context)
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
