import GatewayCore
import GatewayProviders
import GatewayRouter
import GatewaySchema

/// Embeds texts through an embedding alias (routing, fallbacks and audit as for `/v1/embeddings`), in batches.
struct Embedder: Sendable {
    static let batchSize = 128

    let router: RouterService

    struct Result: Sendable {
        var vectors: [[Float]]
        var tokens: Int
        /// The target that served the last batch.
        var target: RouteTarget?
    }

    func embed(
        _ texts: [String], model: String, identity: Identity, audit: AuditRecorder, requestID: String
    ) async throws -> Result {
        var result = Result(vectors: [], tokens: 0, target: nil)
        for start in stride(from: 0, to: texts.count, by: Self.batchSize) {
            let batch = Array(texts[start..<min(start + Self.batchSize, texts.count)])
            let body: JSONObject = [
                "model": .string(model), "input": .array(batch.map(JSONValue.string)), "encoding_format": "float",
            ]
            let (answer, target) = try await router.call(
                model: model, kind: .embedding, endpoint: .embeddings, body: body, identity: identity, audit: audit,
                requestID: requestID
            ) { try await $0.embed($1) }
            let vectors = try Self.vectors(answer.body, count: batch.count)
            if let dimension = result.vectors.first?.count, vectors.contains(where: { $0.count != dimension }) {
                throw GatewayError(
                    status: 502, type: "server_error", code: "upstream_error",
                    message: "The embedding model returned vectors of different dimensions.")
            }
            result.vectors += vectors
            result.tokens += answer.usage?.promptTokens ?? 0
            result.target = target
        }
        return result
    }

    /// The vectors of an OpenAI `list` of embeddings, in input order.
    static func vectors(_ body: JSONObject, count: Int) throws -> [[Float]] {
        let items = body["data"]?.arrayValue ?? []
        var vectors = [[Float]?](repeating: nil, count: count)
        for (position, item) in items.enumerated() {
            let index = item["index"]?.intValue ?? position
            guard vectors.indices.contains(index), let numbers = item["embedding"]?.arrayValue else { continue }
            let vector = numbers.compactMap { $0.doubleValue.map(Float.init) }
            if vector.count == numbers.count && !vector.isEmpty { vectors[index] = vector }
        }
        guard vectors.allSatisfy({ $0 != nil }) else {
            throw GatewayError(
                status: 502, type: "server_error", code: "upstream_error",
                message: "The embedding model did not return one float vector per input.")
        }
        return vectors.compactMap { $0 }
    }
}
