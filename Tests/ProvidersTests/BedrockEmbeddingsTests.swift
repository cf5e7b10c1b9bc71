import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct BedrockEmbeddingsTests {
    @Test func titanTakesOneTextPerCallWithItsDimensions() throws {
        let family = try BedrockEmbeddings.family("amazon.titan-embed-text-v2:0")
        #expect(family == .titan(v2: true))
        let requests = try BedrockEmbeddings.requests(
            json(#"{"input":["a","b"],"dimensions":256}"#), family: family)
        #expect(
            requests == [
                ["inputText": "a", "dimensions": 256, "normalize": true],
                ["inputText": "b", "dimensions": 256, "normalize": true],
            ])
        #expect(
            try BedrockEmbeddings.requests(json(#"{"input":"x"}"#), family: .titan(v2: false)) == [["inputText": "x"]])
        #expect(throws: ProviderError.self) {
            try BedrockEmbeddings.requests(json(#"{"input":"x","dimensions":300}"#), family: family)
        }
        let answer = try BedrockEmbeddings.vectors(
            json(#"{"embedding":[0.5,-0.25],"inputTextTokenCount":3}"#), family: family)
        #expect(answer.vectors == [[0.5, -0.25]])
        #expect(answer.tokens == 3)
    }

    @Test func cohereBatchesNinetySixTexts() throws {
        let family = try BedrockEmbeddings.family("cohere.embed-english-v3")
        #expect(family == .cohere(v4: false))
        let texts = (0..<100).map { JSONValue.string("t\($0)") }
        let requests = try BedrockEmbeddings.requests(
            ["input": .array(texts), "input_type": "search_query"], family: family)
        #expect(requests.count == 2)
        #expect(requests[0]["texts"]?.arrayValue?.count == 96)
        #expect(requests[1]["texts"]?.arrayValue == Array(texts[96...]))
        #expect(requests[0]["input_type"] == "search_query")
        #expect(requests[0]["embedding_types"] == ["float"])
        #expect(throws: ProviderError.self) {
            try BedrockEmbeddings.requests(json(#"{"input":"x","dimensions":512}"#), family: family)
        }
        let v4 = try BedrockEmbeddings.requests(json(#"{"input":"x","dimensions":512}"#), family: .cohere(v4: true))
        #expect(v4[0]["output_dimension"] == 512)
        let byType = try BedrockEmbeddings.vectors(json(#"{"embeddings":{"float":[[1,2],[3,4]]}}"#), family: family)
        #expect(byType.vectors == [[1, 2], [3, 4]])
        #expect(byType.tokens == nil)
        let plain = try BedrockEmbeddings.vectors(json(#"{"embeddings":[[1,2]]}"#), family: family)
        #expect(plain.vectors == [[1, 2]])
    }

    @Test func otherModelsAndTokenInputsAreClientErrors() {
        #expect(throws: ProviderError.self) { try BedrockEmbeddings.family("amazon.nova-lite-v1:0") }
        #expect(throws: ProviderError.self) {
            try BedrockEmbeddings.requests(json(#"{"input":[1,2,3]}"#), family: .titan(v2: true))
        }
    }

    @Test func base64IsLittleEndianFloat32LikeOpenAI() throws {
        let list = EmbeddingShapes.list([[1.0, -2.5]], base64: true, promptTokens: 4)
        let encoded = try #require(list["data"]?.arrayValue?.first?["embedding"]?.stringValue)
        let bytes = try #require(Data(base64Encoded: encoded))
        let floats = stride(from: 0, to: bytes.count, by: 4).map { offset in
            Float(
                bitPattern: UInt32(
                    littleEndian: bytes[offset..<offset + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        }
        #expect(floats == [1.0, -2.5])
        #expect(list["usage"] == ["prompt_tokens": 4, "total_tokens": 4])
        #expect(throws: ProviderError.self) { try EmbeddingShapes.wantsBase64(["encoding_format": "int8"]) }
    }
}
