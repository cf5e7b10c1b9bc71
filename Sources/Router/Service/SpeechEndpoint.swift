import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `POST /v1/audio/speech`: the JSON body goes upstream; the audio comes back with the upstream's content type
/// and is relayed chunk by chunk as it arrives. With the query parameter `?format=json` the answer is instead
/// `{"audio": "<base64>", "format": "mp3"}` (the whole file, buffered). The audit event records the input's
/// characters.
extension RouterService {
    func speech(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await limits.readJSONObject(request)
        let model = try Self.requireModel(body)
        guard let input = body["input"]?.stringValue, !input.isEmpty else {
            throw GatewayError.invalidRequest("'input' is required and must be a non-empty string.", param: "input")
        }
        let asJSON = request.uri.queryParameters.get("format") == "json"
        let audit = context.audit
        audit.update {
            $0.alias = model
            $0.stream = !asJSON
            $0.media = AuditEvent.MediaUnits(speechCharacters: input.count)
        }
        let audio = try await dispatch(model: model, kind: .audio, endpoint: .speech, body: body, context: context) {
            try await $0.speech($1)
        }
        if asJSON {
            let bytes: [UInt8]
            do {
                bytes = try await audio.collect(limit: Self.speechJSONLimitBytes)
            } catch {
                throw Self.lateFailure(error, audit: audit)
            }
            let format =
                AudioFormat.speechFormat(forContentType: audio.contentType)
                ?? body["response_format"]?.stringValue ?? "mp3"
            audit.markFirstByte()
            return Self.json(["audio": .string(Data(bytes).base64EncodedString()), "format": .string(format)])
        }
        return relayed(audio, audit: audit)
    }

    /// A 200 whose body is `stream`, relayed chunk by chunk as it arrives (speech audio, streamed transcripts).
    /// Registered with the drain: a graceful shutdown past its timeout ends it at its next chunk (these upstreams
    /// send continuously; a silent one is bounded by the stream idle timeout). A failure after the first byte
    /// drops the connection (raw audio cannot carry an error) and is audited as a stream error.
    func relayed(_ stream: AudioStream, audit: AuditRecorder, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = stream.contentType
        let audio = stream
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { [drain] writer in
                var clientGone = false
                let ended = EndSignal()
                let token = drain.register { ended.end() }
                defer { drain.unregister(token) }
                do {
                    try await audio.pump { chunk in
                        if ended.isEnded {
                            throw ProviderError(.cancelled, message: "the gateway is shutting down")
                        }
                        audit.markFirstByte()
                        do {
                            try await writer.write(chunk)
                        } catch {
                            clientGone = true
                            throw error
                        }
                    }
                } catch {
                    if !clientGone {
                        let code = ended.isEnded ? "server_shutting_down" : "upstream_stream_error"
                        audit.update {
                            $0.streamFailed = true
                            $0.errorCode = code
                        }
                    }
                    throw error
                }
                try await writer.finish(nil)
            })
    }
}

/// Set once, read by the stream it ends.
final class EndSignal: Sendable {
    let flag = Atomic<Bool>(false)

    func end() { flag.store(true, ordering: .relaxed) }

    var isEnded: Bool { flag.load(ordering: .relaxed) }
}
