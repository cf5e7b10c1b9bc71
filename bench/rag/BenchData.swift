import GatewayCore
import GatewaySchema

/// SplitMix64: deterministic, so every run ingests and queries the same vectors.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func nextSigned() -> Float {
        Float(Double(next() >> 11) * 0x1.0p-53 * 2 - 1)
    }

    /// A random unit vector.
    mutating func unitVector(_ dimensions: Int) -> [Float] {
        var vector = (0..<dimensions).map { _ in nextSigned() }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for index in vector.indices { vector[index] /= norm } }
        return vector
    }
}

/// The synthetic corpus: document `n` has `chunksPerDocument` chunks and metadata
/// `{"group": n % 10, "lang": en|de|fr}`; its vectors come from a generator seeded with `n`, so any chunk can be
/// regenerated (to query with a stored vector).
enum BenchData {
    static let languages = ["en", "de", "fr"]

    static func key(_ document: Int) -> String { "doc-\(document)" }

    static func document(_ document: Int, chunks: Int, dimensions: Int) -> [VectorChunk] {
        var random = SplitMix64(state: UInt64(document) &* 0x2545_F491_4F6C_DD1D)
        let metadata: JSONObject = [
            "group": .number(JSONNumber(document % 10)), "lang": .string(languages[document % 3]),
        ]
        return (0..<chunks).map { index in
            VectorChunk(
                documentKey: key(document), chunkIndex: index, text: "document \(document), chunk \(index)",
                metadata: metadata, vector: random.unitVector(dimensions))
        }
    }
}
