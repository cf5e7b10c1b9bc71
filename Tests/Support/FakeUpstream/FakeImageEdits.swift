import Foundation
import Hummingbird

/// `POST /v1/images/edits`: OpenAI's multipart form (`image` or `image[]` files, optional `mask`, `prompt`,
/// `model`, `n`, `size`, `quality`, `response_format`); answers like `/v1/images/generations`. With
/// `variations`, `POST /v1/images/variations`: one `image` file and no prompt.
struct FakeImageEdits {
    var variations = false

    func respond(contentType: String, body: [UInt8]) -> Response {
        guard let form = FakeMultipart(contentType: contentType, body: body) else {
            return ErrorEnvelope.response(
                status: 400, message: "Expected a multipart/form-data body.", type: "invalid_request_error")
        }
        guard let model = form.field("model"), !model.isEmpty else {
            return ErrorEnvelope.response(
                status: 400, message: "you must provide a model parameter", type: "invalid_request_error",
                param: "model")
        }
        if let status = ModelBehavior(model: model).forcedStatus { return ErrorEnvelope.forcedStatus(status) }
        let images = form.parts.filter {
            ($0.name == "image" || (!variations && $0.name == "image[]")) && $0.filename != nil
        }
        guard !images.isEmpty, images.allSatisfy({ !$0.data.isEmpty }), !variations || images.count == 1 else {
            return ErrorEnvelope.response(
                status: 400, message: "'image' is required.", type: "invalid_request_error", param: "image")
        }
        if variations {
            if form.field("prompt") != nil {
                return ErrorEnvelope.response(
                    status: 400, message: "Unrecognized request argument supplied: prompt",
                    type: "invalid_request_error")
            }
            let request = ImageRequest(
                model: model, prompt: "variation", n: form.field("n").flatMap { Int($0) },
                response_format: form.field("response_format"), size: form.field("size"), quality: nil)
            return FakeImages().respond(to: request)
        }
        guard let prompt = form.field("prompt"), !prompt.isEmpty else {
            return ErrorEnvelope.response(
                status: 400, message: "'prompt' is required.", type: "invalid_request_error", param: "prompt")
        }
        let request = ImageRequest(
            model: model, prompt: prompt, n: form.field("n").flatMap { Int($0) },
            response_format: form.field("response_format"), size: form.field("size"), quality: form.field("quality"))
        return FakeImages().respond(to: request)
    }
}
