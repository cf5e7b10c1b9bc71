import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird

/// The media service: `/v1/images/generations` (aliases of kind `image`), `/v1/audio/speech`,
/// `/v1/audio/transcriptions` and `/v1/audio/translations` (kind `audio`). Every one goes through the same
/// `dispatch` as chat (retries, fallbacks, circuit breakers, attempts in the audit event) and records its
/// billable units (`AuditEvent.MediaUnits`). In embedded mode it runs in the router's process.
extension RouterService {
    /// Uploads may be larger than JSON requests: OpenAI takes audio files up to 25 MB.
    static let uploadLimitBytes = 26 * 1024 * 1024
    /// The JSON upload variant carries the audio in base64 (4/3 of its size).
    static let jsonUploadLimitBytes = 35 * 1024 * 1024
    /// The largest request body the media service accepts, with `maxBodyBytes` the JSON endpoints' limit.
    public static func largestMediaRequestBytes(maxBodyBytes: Int) -> Int {
        max(maxBodyBytes, uploadLimitBytes, jsonUploadLimitBytes)
    }
    /// The most audio the JSON variant of speech buffers.
    static let speechJSONLimitBytes = 64 * 1024 * 1024

    /// Images and audio: `switchboard-media` in self-hosted mode.
    public func addMediaRoutes(to router: Router<GatewayRequestContext>) {
        router.post("/v1/images/generations") { request, context in
            try await self.generateImages(request, context: context)
        }
        router.post("/v1/images/edits") { request, context in
            try await self.editImages(request, context: context)
        }
        router.post("/v1/images/variations") { request, context in
            try await self.varyImages(request, context: context)
        }
        router.post("/v1/audio/speech") { request, context in
            try await self.speech(request, context: context)
        }
        router.post("/v1/audio/transcriptions") { request, context in
            try await self.transcribe(request, context: context, endpoint: .transcriptions)
        }
        router.post("/v1/audio/translations") { request, context in
            try await self.transcribe(request, context: context, endpoint: .translations)
        }
    }

    /// `model` of a JSON request, required.
    static func requireModel(_ body: JSONObject) throws -> String {
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter.", param: "model")
        }
        return model
    }

    /// An upstream failure after dispatch returned (while reading the rest of a body) as the client's error.
    static func lateFailure(_ error: any Error, audit: AuditRecorder) -> GatewayError {
        UpstreamHTTP.map(error).gatewayError(provider: audit.snapshot.provider ?? "upstream")
    }
}
