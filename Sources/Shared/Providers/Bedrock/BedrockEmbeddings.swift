import GatewayCore
import GatewaySchema

/// OpenAI embeddings ↔ Bedrock InvokeModel for Amazon Titan Text Embeddings (v1, v2) and Cohere Embed (v3,
/// v4). Pure: the request bodies to send (Titan takes one text per call, Cohere up to 96) and the OpenAI list
/// built from their answers.
public enum BedrockEmbeddings {
    public enum Family: Sendable, Equatable {
        case titan(v2: Bool)
        case cohere(v4: Bool)
    }

    static let cohereBatch = 96

    public static func family(_ model: String) throws -> Family {
        let name = model.lowercased()
        if name.contains("amazon.titan-embed") {
            return .titan(v2: name.contains("-v2"))
        }
        if name.contains("cohere.embed") { return .cohere(v4: name.contains("v4")) }
        throw ProviderError(
            .badRequest,
            message: "bedrock embeddings serve Amazon Titan Text Embeddings and Cohere Embed models, not \(model)")
    }

    /// The InvokeModel bodies for a request, in input order.
    public static func requests(_ body: JSONObject, family: Family) throws -> [JSONObject] {
        let texts = try EmbeddingShapes.texts(body["input"], provider: "bedrock")
        let dimensions = body["dimensions"]?.intValue
        switch family {
        case .titan(let v2):
            if let dimensions {
                guard v2, [256, 512, 1024].contains(dimensions) else {
                    throw ProviderError(
                        .badRequest,
                        message: "Titan Text Embeddings v2 takes dimensions 256, 512 or 1024; v1 takes none")
                }
            }
            return texts.map { text in
                var request: JSONObject = ["inputText": .string(text)]
                if v2 {
                    if let dimensions { request["dimensions"] = .number(JSONNumber(dimensions)) }
                    request["normalize"] = true
                }
                return request
            }
        case .cohere(let v4):
            if dimensions != nil && !v4 {
                throw ProviderError(.badRequest, message: "Cohere Embed v3 models have a fixed dimension")
            }
            let inputType = body["input_type"]?.stringValue ?? "search_document"
            return stride(from: 0, to: texts.count, by: cohereBatch).map { start in
                var request: JSONObject = [
                    "texts": .array(texts[start..<min(start + cohereBatch, texts.count)].map(JSONValue.string)),
                    "input_type": .string(inputType), "embedding_types": ["float"],
                ]
                if let dimensions { request["output_dimension"] = .number(JSONNumber(dimensions)) }
                return request
            }
        }
    }

    /// The vectors of one InvokeModel answer, and its input tokens when the body reports them (Titan).
    public static func vectors(_ answer: JSONObject, family: Family) throws -> (vectors: [[JSONValue]], tokens: Int?) {
        switch family {
        case .titan:
            guard let vector = answer["embedding"]?.arrayValue else {
                throw ProviderError(
                    .invalidResponse, upstreamStatus: 200, message: "the upstream answer has no embedding")
            }
            return ([vector], answer["inputTextTokenCount"]?.intValue)
        case .cohere:
            // `embeddings` is a list of vectors, or by type (`{"float": [...]}`) when types were requested.
            let embeddings = answer["embeddings"]?["float"] ?? answer["embeddings"]
            guard let vectors = embeddings?.arrayValue?.compactMap(\.arrayValue),
                vectors.count == embeddings?.arrayValue?.count
            else {
                throw ProviderError(
                    .invalidResponse, upstreamStatus: 200, message: "the upstream answer has no embeddings")
            }
            return (vectors, nil)
        }
    }
}
