import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `POST /v1/images/generations` and `/v1/images/edits`: the JSON body goes to the alias's targets (OpenAI-family upstreams get it
/// unchanged except `model`); the audit event records images × size × quality, and gpt-image token usage.
extension RouterService {
    func generateImages(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await limits.readJSONObject(request)
        let model = try Self.requireModel(body)
        guard let prompt = body["prompt"]?.stringValue, !prompt.isEmpty else {
            throw GatewayError.invalidRequest("'prompt' is required and must be a non-empty string.", param: "prompt")
        }
        if let n = body["n"], !n.isNull {
            guard let value = n.intValue, (1...10).contains(value) else {
                throw GatewayError.invalidRequest("'n' must be an integer between 1 and 10.", param: "n")
            }
        }
        context.audit.update { $0.alias = model }
        let result = try await dispatch(
            model: model, kind: .image, endpoint: .imageGenerations, body: body, context: context
        ) { try await $0.generateImages($1) }
        return imagesResponse(result, request: body, context: context)
    }

    /// `POST /v1/images/edits`: OpenAI's multipart form, routed by its `model` field and passed upstream with
    /// only `model` replaced; answered and audited like a generation.
    func editImages(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let form = try await readUpload(request, context: context)
        guard form.parts.contains(where: { ($0.name == "image" || $0.name == "image[]") && $0.filename != nil }) else {
            throw GatewayError.invalidRequest("'image' is required: the image file(s) to edit.", param: "image")
        }
        let fields = TranscriptionUpload.fields(of: form)
        let model = try Self.requireModel(fields)
        guard let prompt = fields["prompt"]?.stringValue, !prompt.isEmpty else {
            throw GatewayError.invalidRequest("'prompt' is required and must be a non-empty string.", param: "prompt")
        }
        context.audit.update { $0.alias = model }
        let result = try await dispatch(
            model: model, kind: .image, endpoint: .imageEdits, body: fields, context: context, upload: form
        ) { try await $0.editImages($1) }
        var request = fields
        if let n = fields["n"]?.stringValue.flatMap({ Int($0) }) { request["n"] = .number(JSONNumber(n)) }
        return imagesResponse(result, request: request, context: context)
    }

    /// `POST /v1/images/variations`: OpenAI's multipart form (`image`, `model` (default `dall-e-2`, as on
    /// OpenAI), `n`, `size`, `response_format`, `user`), routed by `model` and passed upstream with only `model`
    /// replaced; answered and audited like a generation.
    func varyImages(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var form = try await readUpload(request, context: context)
        guard form.parts.contains(where: { $0.name == "image" && $0.filename != nil && !$0.data.isEmpty }) else {
            throw GatewayError.invalidRequest("'image' is required: the image to make variations of.", param: "image")
        }
        if form.field("model")?.isEmpty ?? true { form.set("model", to: "dall-e-2") }
        var fields = TranscriptionUpload.fields(of: form)
        let model = try Self.requireModel(fields)
        if let text = fields["n"]?.stringValue {
            guard let n = Int(text), (1...10).contains(n) else {
                throw GatewayError.invalidRequest("'n' must be an integer between 1 and 10.", param: "n")
            }
            fields["n"] = .number(JSONNumber(n))
        }
        context.audit.update { $0.alias = model }
        let result = try await dispatch(
            model: model, kind: .image, endpoint: .imageVariations, body: fields, context: context, upload: form
        ) { try await $0.varyImages($1) }
        return imagesResponse(result, request: fields, context: context)
    }

    /// The answer of a generation, edit or variation, with the billable units and gpt-image token usage in the audit.
    func imagesResponse(_ result: ProviderResult, request body: JSONObject, context: GatewayRequestContext) -> Response
    {
        var out = result.body
        if out["created"] == nil { out["created"] = .number(JSONNumber(Int(Date().timeIntervalSince1970))) }
        let units = AuditEvent.MediaUnits(
            imageCount: out["data"]?.arrayValue?.count ?? body["n"]?.intValue ?? 1,
            imageSize: out["size"]?.stringValue ?? body["size"]?.stringValue ?? "1024x1024",
            imageQuality: out["quality"]?.stringValue ?? body["quality"]?.stringValue ?? "standard")
        let usage = out["usage"]
        context.audit.update {
            $0.media = units
            if let input = usage?["input_tokens"]?.intValue { $0.promptTokens = input }
            if let output = usage?["output_tokens"]?.intValue { $0.completionTokens = output }
        }
        context.audit.markFirstByte()
        return Self.json(.object(out))
    }
}
