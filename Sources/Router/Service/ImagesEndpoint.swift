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

/// `POST /v1/images/generations`: the JSON body goes to the alias's targets (OpenAI-family upstreams get it
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
