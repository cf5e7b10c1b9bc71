import Foundation
import Hummingbird

/// `POST /v1/images/generations`: `n` copies of a valid 1×1 PNG, as `b64_json` or a `data:` URL; gpt-image
/// models always answer `b64_json` with token `usage`, `size` and `quality`, as OpenAI does.
struct FakeImages {
    static let pngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

    func respond(to request: ImageRequest) -> Response {
        let n = request.n ?? 1
        guard (1...10).contains(n) else {
            return ErrorEnvelope.response(
                status: 400, message: "Invalid 'n': must be between 1 and 10.", type: "invalid_request_error",
                param: "n")
        }
        let gptImage = request.model.hasPrefix("gpt-image")
        let b64 = gptImage || request.response_format == "b64_json"
        var json = JSONText(capacity: 256 + n * 120)
        json.raw("{\"created\":1700000000,\"data\":[")
        for index in 0..<n {
            if index > 0 { json.raw(",") }
            if b64 {
                json.raw("{\"b64_json\":")
                json.string(Self.pngBase64)
            } else {
                json.raw("{\"url\":")
                json.string("data:image/png;base64,\(Self.pngBase64)")
            }
            if request.model == "dall-e-3" {
                json.raw(",\"revised_prompt\":")
                json.string(request.prompt)
            }
            json.raw("}")
        }
        json.raw("]")
        if gptImage {
            let input = request.prompt.split(separator: " ").count
            json.raw(",\"size\":")
            json.string(request.size ?? "1024x1024")
            json.raw(",\"quality\":")
            json.string(request.quality ?? "medium")
            json.raw(",\"usage\":{\"input_tokens\":")
            json.int(input)
            json.raw(",\"output_tokens\":")
            json.int(1056 * n)
            json.raw(",\"total_tokens\":")
            json.int(input + 1056 * n)
            json.raw(",\"input_tokens_details\":{\"text_tokens\":")
            json.int(input)
            json.raw(",\"image_tokens\":0}}")
        }
        json.raw("}")
        return JSONResponse.ok(json.byteBuffer)
    }
}
