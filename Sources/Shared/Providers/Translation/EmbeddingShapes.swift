import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OpenAI embeddings requests and responses, for providers with other embedding APIs.
public enum EmbeddingShapes {
    /// The texts of an embeddings `input` (a string or an array of strings). Token arrays are refused:
    /// only OpenAI-family upstreams take tokens.
    public static func texts(_ input: JSONValue?, provider: String) throws -> [String] {
        switch input {
        case .string(let text)?: return [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }):
            return items.compactMap(\.stringValue)
        default:
            throw ProviderError(
                .badRequest, message: "\(provider) embedding models take input as a string or an array of strings")
        }
    }

    /// `encoding_format: base64` (float32 little-endian, as OpenAI encodes), else floats.
    public static func wantsBase64(_ body: JSONObject) throws -> Bool {
        switch body["encoding_format"]?.stringValue {
        case nil, "float": return false
        case "base64": return true
        case let other?:
            throw ProviderError(.badRequest, message: "encoding_format must be float or base64, not \(other)")
        }
    }

    /// OpenAI's `list` of embeddings, in input order.
    public static func list(_ vectors: [[JSONValue]], base64: Bool, promptTokens: Int) -> JSONObject {
        let data: [JSONValue] = vectors.enumerated().map { index, vector in
            [
                "object": "embedding", "index": .number(JSONNumber(index)),
                "embedding": base64 ? .string(Self.base64(vector)) : .array(vector),
            ]
        }
        return [
            "object": "list", "data": .array(data), "model": "",
            "usage": [
                "prompt_tokens": .number(JSONNumber(promptTokens)), "total_tokens": .number(JSONNumber(promptTokens)),
            ],
        ]
    }

    /// A vector as OpenAI's base64: the float32 values little-endian.
    static func base64(_ vector: [JSONValue]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = Float(value.doubleValue ?? 0).bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
