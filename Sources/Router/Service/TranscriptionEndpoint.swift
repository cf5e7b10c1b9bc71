import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import Logging

/// `POST /v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's multipart form (read only far enough
/// to route by `model`, then passed upstream with its boundary and only `model` replaced), or the JSON variant
/// `{"audio": "<base64>", "filename": "a.mp3", "model": …}` converted to that form. The answer keeps the
/// upstream's content type (`json`, `verbose_json`, `text`, `srt`, `vtt`); the audit event records the audio
/// seconds when the answer has a `duration` (`verbose_json`). With `stream=true` an upstream that streams
/// (`gpt-4o-transcribe`…) has its `transcript.text.*` SSE events relayed as they arrive.
extension RouterService {
    func transcribe(
        _ request: Request, context: GatewayRequestContext, endpoint: ProviderEndpoint
    ) async throws
        -> Response
    {
        let form = try await readUpload(request, context: context)
        guard form.file != nil else {
            throw GatewayError.invalidRequest("'file' is required: the audio file to transcribe.", param: "file")
        }
        let fields = TranscriptionUpload.fields(of: form)
        let model = try Self.requireModel(fields)
        context.audit.update { $0.alias = model }
        let result = try await dispatch(
            model: model, kind: .audio, endpoint: endpoint, body: fields, context: context, upload: form
        ) { try await $0.transcribe($1) }
        if let stream = result.stream {
            // `stream=true`: the upstream's SSE transcript events, relayed as they arrive; billed by the upload's
            // duration where it can be measured.
            context.audit.update {
                $0.stream = true
                if let seconds = form.file.flatMap({ WAVAudio.duration(of: $0.data, size: $0.size) }) {
                    $0.media = AuditEvent.MediaUnits(audioSeconds: seconds)
                }
            }
            var headers = HTTPFields()
            headers[.cacheControl] = "no-cache"
            headers[HTTPField.Name("x-accel-buffering")!] = "no"
            return relayed(stream, audit: context.audit, headers: headers)
        }
        if let seconds = Self.billedSeconds(result, upload: form) {
            context.audit.update { $0.media = AuditEvent.MediaUnits(audioSeconds: seconds) }
        }
        context.audit.markFirstByte()
        var headers = HTTPFields()
        headers[.contentType] = result.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: result.body)))
    }

    /// The audio duration a transcription is billed by: as the upstream reports it (`duration` of verbose JSON,
    /// `usage.seconds` of plain JSON), else measured from the upload when it is a WAV file.
    static func billedSeconds(_ result: MediaResult, upload: MultipartForm) -> Double? {
        if result.contentType.lowercased().hasPrefix("application/json"), let json = try? JSONParser.parse(result.body)
        {
            if let seconds = json["duration"]?.doubleValue { return seconds }
            if json["usage"]?["type"]?.stringValue == "duration", let seconds = json["usage"]?["seconds"]?.doubleValue {
                return seconds
            }
        }
        return upload.file.flatMap { WAVAudio.duration(of: $0.data, size: $0.size) }
    }

    /// The upload as a form, within the upload size limits (413 beyond them).
    func readUpload(_ request: Request, context: GatewayRequestContext) async throws -> MultipartForm {
        let contentType = request.headers[.contentType] ?? ""
        if let boundary = MultipartParser.boundary(fromContentType: contentType) {
            // Parsed as it arrives; a large file part goes to a temporary file, not memory, and from there
            // upstream (`MultipartForm.encodedBody`).
            let limit = max(limits.maxBytes, Self.uploadLimitBytes)
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                throw GatewayError.bodyTooLarge(limit: limit)
            }
            var parser = MultipartStreamParser(boundary: boundary)
            var received = 0
            do {
                for try await chunk in request.body {
                    received += chunk.readableBytes
                    if received > limit { throw GatewayError.bodyTooLarge(limit: limit) }
                    try parser.consume(chunk.readableBytesView)
                }
                return try parser.finish()
            } catch let error as MultipartParser.ParseError {
                throw GatewayError.invalidRequest("The multipart body is invalid: \(error.description).")
            } catch let error as SpoolError {
                context.logger.error("cannot spool an upload", metadata: ["error": "\(error)"])
                throw GatewayError.serviceUnavailable("The gateway cannot take uploads right now; retry shortly.")
            }
        }
        if contentType.lowercased().hasPrefix("application/json") {
            let limit = max(limits.maxBytes, Self.jsonUploadLimitBytes)
            let body = try await BodyLimits(maxBytes: limit, maxDepth: limits.maxDepth).readJSONObject(request)
            do {
                return try TranscriptionUpload.form(fromJSON: body)
            } catch let error as TranscriptionUpload.Invalid {
                throw GatewayError.invalidRequest(error.message, param: error.param)
            }
        }
        throw GatewayError.invalidRequest(
            "Send the audio as multipart/form-data (OpenAI's form) or as JSON with a base64 'audio' field.")
    }
}
