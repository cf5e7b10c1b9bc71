import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Deterministic image generation for the mock provider: `n` copies of a valid 1×1 PNG, as `b64_json` or as a
/// `data:` URL for `response_format: url` (gpt-image models always answer `b64_json`, with their `usage`).
extension MockProvider {
    /// A valid 1×1 grey PNG.
    public static let tinyPNGBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

    /// Edits answer like generations; the form must carry at least one image.
    public func editImages(_ call: ProviderCall) async throws -> ProviderResult {
        let images = call.upload?.parts.filter { ($0.name == "image" || $0.name == "image[]") && $0.filename != nil }
        guard let images, !images.isEmpty, images.allSatisfy({ !$0.data.isEmpty }) else {
            throw ProviderError(.badRequest, message: "'image' is required")
        }
        return try await generateImages(call)
    }

    /// Variations answer like generations of the uploaded image.
    public func varyImages(_ call: ProviderCall) async throws -> ProviderResult {
        let image = call.upload?.parts.first { $0.name == "image" && $0.filename != nil }
        guard let image, !image.data.isEmpty else { throw ProviderError(.badRequest, message: "'image' is required") }
        var variation = call
        variation.body["prompt"] = .string("a variation of \(image.filename ?? "the image")")
        return try await generateImages(variation)
    }

    public func generateImages(_ call: ProviderCall) async throws -> ProviderResult {
        guard let prompt = call.body["prompt"]?.stringValue, !prompt.isEmpty else {
            throw ProviderError(.badRequest, message: "'prompt' is required")
        }
        let n = call.body["n"]?.intValue ?? 1
        guard (1...10).contains(n) else { throw ProviderError(.badRequest, message: "'n' must be between 1 and 10") }
        let gptImage = call.target.model.hasPrefix("gpt-image")
        let format = call.body["response_format"]?.stringValue ?? (gptImage ? "b64_json" : "url")
        guard format == "url" || format == "b64_json" else {
            throw ProviderError(.badRequest, message: "'response_format' must be 'url' or 'b64_json'")
        }
        let image: JSONValue =
            format == "b64_json" || gptImage
            ? ["b64_json": .string(Self.tinyPNGBase64)]
            : ["url": .string("data:image/png;base64,\(Self.tinyPNGBase64)")]
        var body: JSONObject = [
            "created": .number(JSONNumber(Int(Date().timeIntervalSince1970))),
            "data": .array(Array(repeating: image, count: n)),
        ]
        if gptImage {
            let input = prompt.split(whereSeparator: \.isWhitespace).count
            let output = 272 * n
            body["usage"] = [
                "input_tokens": .number(JSONNumber(input)), "output_tokens": .number(JSONNumber(output)),
                "total_tokens": .number(JSONNumber(input + output)),
                "input_tokens_details": ["text_tokens": .number(JSONNumber(input)), "image_tokens": 0],
            ]
        }
        return ProviderResult(body: body, usage: nil)
    }
}
