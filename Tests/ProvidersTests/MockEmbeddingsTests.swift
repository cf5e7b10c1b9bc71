import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct MockEmbeddingsTests {
    func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test(arguments: [1, 8, 256, 1536, 3072])
    func unitVectorsOfAnyDimension(_ dimensions: Int) {
        let vector = MockEmbeddings.vector(for: "The quick brown fox", dimensions: dimensions)
        #expect(vector.count == dimensions)
        #expect(abs(cosine(vector, vector) - 1) < 1e-4)
        #expect(vector == MockEmbeddings.vector(for: "The quick brown fox", dimensions: dimensions), "deterministic")
    }

    @Test func sharedWordsMeanCloserVectors() {
        let query = MockEmbeddings.vector(for: "vector storage costs", dimensions: 512)
        let related = MockEmbeddings.vector(for: "S3 Vectors reduces vector storage costs by 90%", dimensions: 512)
        let unrelated = MockEmbeddings.vector(for: "Lambda runs code without servers", dimensions: 512)
        #expect(cosine(query, related) > cosine(query, unrelated) + 0.2)
    }

    @Test func base64IsLittleEndianFloat32() throws {
        let vector: [Float] = [1, -0.5, 0.25]
        let data = try #require(Data(base64Encoded: MockEmbeddings.base64(vector)))
        let decoded = stride(from: 0, to: data.count, by: 4).map { offset -> Float in
            let bits = data[offset..<offset + 4].enumerated().reduce(UInt32(0)) {
                $0 | UInt32($1.element) << (8 * $1.offset)
            }
            return Float(bitPattern: bits)
        }
        #expect(decoded == vector)
    }

    @Test func providerAnswersEveryInputShape() async throws {
        let mock = MockProvider(streamDelayMilliseconds: 0)
        let target = RouteTarget(provider: ProviderRef(family: .mock), model: "mock-text-embedding-3-small")
        for (input, count) in [
            (JSONValue.string("one"), 1), (["a", "b", "c"], 3), ([1, 2, 3], 1), ([[1, 2], [3]], 2),
        ] as [(JSONValue, Int)] {
            let result = try await mock.embed(
                ProviderCall(
                    target: target, credential: nil, endpoint: .embeddings, body: ["input": input, "dimensions": 16],
                    requestID: "r"))
            let data = try #require(result.body["data"]?.arrayValue)
            #expect(data.count == count)
            #expect(data.allSatisfy { $0["embedding"]?.arrayValue?.count == 16 })
            #expect(result.usage?.promptTokens ?? 0 >= count)
        }
        await #expect(throws: ProviderError.self) {
            try await mock.embed(
                ProviderCall(
                    target: target, credential: nil, endpoint: .embeddings, body: ["input": [true]], requestID: "r"))
        }
    }
}
