import Crypto
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Deterministic embeddings of any dimension for the mock provider: feature hashing of lowercased words
/// (common English function words left out, repeated words weighted by the square root of their count) and of their character
/// trigrams into signed buckets, normalised to unit length. Texts that share words get similar vectors, so
/// retrieval over mock embeddings behaves plausibly (lexically, not semantically).
public enum MockEmbeddings {
    static let stopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has", "have", "how",
        "i", "if", "in", "is", "it", "its", "my", "no", "not", "of", "on", "or", "so", "than", "that", "the",
        "their", "then", "there", "these", "this", "to", "was", "we", "what", "when", "which", "who", "why",
        "will", "with", "you", "your",
    ]

    public static func vector(for text: String, dimensions: Int) -> [Float] {
        var vector = [Float](repeating: 0, count: max(1, dimensions))
        var counts: [Substring: Int] = [:]
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
        for word in words where !stopwords.contains(String(word)) { counts[word, default: 0] += 1 }
        for (word, count) in counts.sorted(by: { $0.key < $1.key }) {
            let weight = Float(count).squareRoot()
            add(String(word), weight: weight, to: &vector)
            let padded = Array(" \(word) ")
            if padded.count >= 3 {
                for index in 0...(padded.count - 3) {
                    add(String(padded[index..<index + 3]), weight: 0.3 * weight, to: &vector)
                }
            }
        }
        if counts.isEmpty { add(text, weight: 1, to: &vector) }
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    static func add(_ feature: String, weight: Float, to vector: inout [Float]) {
        let digest = Array(SHA256.hash(data: Array(feature.utf8)))
        let bucket = Int(UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3]))
        let sign: Float = digest[4] & 1 == 0 ? 1 : -1
        vector[bucket % vector.count] += sign * weight
    }

    /// The texts of an embeddings `input`: a string, strings, a token array or token arrays (tokens are
    /// rendered as their numbers).
    public static func inputs(_ input: JSONValue?) -> [String]? {
        switch input {
        case .string(let text)?: return [text]
        case .array(let items)?:
            if items.isEmpty { return nil }
            if items.allSatisfy({ $0.stringValue != nil }) { return items.compactMap(\.stringValue) }
            if items.allSatisfy({ $0.intValue != nil }) {
                return [items.map { String($0.intValue!) }.joined(separator: " ")]
            }
            if items.allSatisfy({ $0.arrayValue?.allSatisfy { $0.intValue != nil } ?? false }) {
                return items.map { $0.arrayValue!.map { String($0.intValue!) }.joined(separator: " ") }
            }
            return nil
        default: return nil
        }
    }

    /// Little-endian float32 bytes in base64, as OpenAI's `encoding_format: base64`.
    public static func base64(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            for shift in stride(from: 0, to: 32, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift)))
            }
        }
        return Data(bytes).base64EncodedString()
    }
}

extension MockProvider {
    public func embed(_ call: ProviderCall) async throws -> ProviderResult {
        guard let texts = MockEmbeddings.inputs(call.body["input"]) else {
            throw ProviderError(.badRequest, message: "'input' must be a string, an array of strings or token arrays")
        }
        let defaultDimensions = call.target.model.contains("large") ? 3072 : 1536
        let dimensions = call.body["dimensions"]?.intValue ?? defaultDimensions
        guard (1...16384).contains(dimensions) else {
            throw ProviderError(.badRequest, message: "'dimensions' must be between 1 and 16384")
        }
        let base64 = call.body["encoding_format"]?.stringValue == "base64"
        var tokens = 0
        let data: [JSONValue] = texts.enumerated().map { index, text in
            tokens += max(1, text.split(whereSeparator: \.isWhitespace).count)
            let vector = MockEmbeddings.vector(for: text, dimensions: dimensions)
            let embedding: JSONValue =
                base64
                ? .string(MockEmbeddings.base64(vector))
                : .array(vector.map { .number(JSONNumber(Double($0))) })
            return ["object": "embedding", "index": .number(JSONNumber(index)), "embedding": embedding]
        }
        let usage = Usage(promptTokens: tokens, completionTokens: 0)
        let body: JSONObject = [
            "object": "list", "data": .array(data), "model": .string(call.target.model),
            "usage": ["prompt_tokens": .number(JSONNumber(tokens)), "total_tokens": .number(JSONNumber(tokens))],
        ]
        return ProviderResult(body: body, usage: usage)
    }
}
