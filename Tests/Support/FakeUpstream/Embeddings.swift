import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/embeddings`: deterministic unit vectors derived from a hash of each input.
struct Embeddings {
    static let defaultDimensions = 8
    static let maxDimensions = 8192

    func respond(to request: EmbeddingRequest) -> Response {
        let dimensions = request.dimensions ?? Self.defaultDimensions
        guard (1...Self.maxDimensions).contains(dimensions) else {
            return ErrorEnvelope.response(
                status: 400, message: "Invalid value for 'dimensions': must be between 1 and \(Self.maxDimensions).",
                type: "invalid_request_error", param: "dimensions")
        }
        let base64 = request.encoding_format == "base64"
        let promptTokens = request.input.tokenCounts.reduce(0, +)

        var json = JSONText(capacity: 128 + request.input.items.count * dimensions * 12)
        json.raw("{\"object\":\"list\",\"data\":[")
        for (index, text) in request.input.items.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"object\":\"embedding\",\"index\":")
            json.int(index)
            json.raw(",\"embedding\":")
            let vector = Self.vector(for: text, dimensions: dimensions)
            if base64 {
                json.string(Self.base64LittleEndian(vector))
            } else {
                json.raw("[")
                for (position, value) in vector.enumerated() {
                    if position > 0 { json.raw(",") }
                    json.float(value)
                }
                json.raw("]")
            }
            json.raw("}")
        }
        json.raw("],\"model\":")
        json.string(request.model)
        json.raw(",\"usage\":{\"prompt_tokens\":")
        json.int(promptTokens)
        json.raw(",\"total_tokens\":")
        json.int(promptTokens)
        json.raw("}}")
        return JSONResponse.ok(json.byteBuffer)
    }

    /// FNV-1a of the text seeds a SplitMix64 generator; the components are normalised to unit length.
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var seed: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            seed ^= UInt64(byte)
            seed &*= 0x0000_0100_0000_01B3
        }
        var raw = [Double](repeating: 0, count: dimensions)
        for index in 0..<dimensions {
            seed &+= 0x9E37_79B9_7F4A_7C15
            var mixed = seed
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            raw[index] = Double(mixed >> 11) / Double(1 << 53) * 2 - 1
        }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return [1] + [Float](repeating: 0, count: dimensions - 1) }
        return raw.map { Float($0 / norm) }
    }

    static func base64LittleEndian(_ vector: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
