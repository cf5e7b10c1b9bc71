import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /model/{id}/invoke` for embedding models, in the bodies Bedrock documents:
///
/// - Titan Text Embeddings (`amazon.titan-embed-text-v1`, `-v2:0`): `{"inputText", "dimensions"?, "normalize"?}`
///   → `{"embedding": [...], "inputTextTokenCount": n}` (v2 default 1024 dimensions, v1 1536).
/// - Cohere Embed (`cohere.embed-english-v3`, `-multilingual-v3`, `cohere.embed-v4:0`): `{"texts", "input_type",
///   "embedding_types"?, "output_dimension"?}` → `{"id", "texts", "embeddings"}` where `embeddings` is
///   `{"float": [[...]]}` when `embedding_types` was given, else a list of vectors (v3: 1024 dimensions).
///
/// Every answer carries `X-Amzn-Bedrock-Input-Token-Count` (words, as everywhere in this fake). Vectors are the
/// same deterministic unit vectors as `/v1/embeddings`.
enum BedrockInvokeEmbeddings {
    static let inputTokensHeader = HTTPField.Name("X-Amzn-Bedrock-Input-Token-Count")!

    static func respond(model: String, body: ByteBuffer) -> Response {
        guard let request = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else {
            return BedrockErrors.response(status: 400, type: "ValidationException", message: "Malformed input request")
        }
        let name = model.lowercased()
        let answer: [String: Any]
        let tokens: Int
        if name.contains("amazon.titan-embed") {
            guard let text = request["inputText"] as? String else {
                return BedrockErrors.response(
                    status: 400, type: "ValidationException", message: "required key [inputText] not found")
            }
            let v2 = name.contains("-v2")
            let dimensions = request["dimensions"] as? Int ?? (v2 ? 1024 : 1536)
            guard !v2 || [256, 512, 1024].contains(dimensions) else {
                return BedrockErrors.response(
                    status: 400, type: "ValidationException", message: "dimensions must be 256, 512 or 1024")
            }
            tokens = WordText.count(text)
            answer = [
                "embedding": Embeddings.vector(for: text, dimensions: dimensions).map(Double.init),
                "inputTextTokenCount": tokens,
            ]
        } else if name.contains("cohere.embed") {
            guard let texts = request["texts"] as? [String], !texts.isEmpty, texts.count <= 96,
                request["input_type"] is String
            else {
                return BedrockErrors.response(
                    status: 400, type: "ValidationException", message: "texts (1-96) and input_type are required")
            }
            let dimensions = request["output_dimension"] as? Int ?? (name.contains("v4") ? 1536 : 1024)
            let vectors = texts.map { Embeddings.vector(for: $0, dimensions: dimensions).map(Double.init) }
            tokens = texts.reduce(0) { $0 + WordText.count($1) }
            let byType = request["embedding_types"] != nil
            answer = [
                "id": UUID().uuidString.lowercased(), "texts": texts,
                "response_type": byType ? "embeddings_by_type" : "embeddings_floats",
                "embeddings": byType ? ["float": vectors] as Any : vectors as Any,
            ]
        } else {
            return BedrockErrors.response(
                status: 400, type: "ValidationException",
                message: "The model \(model) does not support InvokeModel here")
        }
        guard let data = try? JSONSerialization.data(withJSONObject: answer) else {
            return BedrockErrors.response(status: 500, type: "InternalServerException", message: "encoding failed")
        }
        var headers: HTTPFields = [.contentType: "application/json", inputTokensHeader: String(tokens)]
        headers[BedrockErrors.requestIDHeader] = UUID().uuidString.lowercased()
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
