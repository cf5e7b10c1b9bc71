/// `QueryVectors` of the fake S3 Vectors service: exact nearest neighbours (the real service is approximate),
/// ties broken by key, filtered with `S3VectorsFilter` on the filterable metadata.
struct S3VectorsQuery {
    /// The service's largest `topK`.
    static let maxTopK = 100

    let state: S3VectorsState

    func query(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucket, name) = (try input.bucketName(), try input.indexName())
        let topK = try input.int("topK", in: 1...Self.maxTopK)
        let filter = try input.body["filter"].map { (value) throws(S3VectorsError) in try S3VectorsFilter(value) }
        let index = try state.withIndex(bucket, name) { $0 }
        let query = try S3VectorsRequest.vectorData(
            input.body["queryVector"], dimension: index.dimension, what: "Invalid query vector")
        var scored: [(vector: S3VectorsState.Vector, distance: Double)] = []
        for vector in index.vectors.values {
            if let filter {
                var visible = vector.metadata ?? [:]
                for key in index.nonFilterableKeys { visible[key] = nil }
                guard filter.matches(visible) else { continue }
            }
            scored.append((vector, Self.distance(query, vector.data, metric: index.distanceMetric)))
        }
        scored.sort { ($0.distance, $0.vector.key) < ($1.distance, $1.vector.key) }
        let returnDistance = input.bool("returnDistance")
        let returnMetadata = input.bool("returnMetadata")
        json.raw("{\"vectors\":[")
        for (position, item) in scored.prefix(topK).enumerated() {
            if position > 0 { json.raw(",") }
            json.raw("{\"key\":")
            json.string(item.vector.key)
            if returnDistance {
                json.raw(",\"distance\":")
                json.float(Float(item.distance))
            }
            if returnMetadata, let metadata = item.vector.metadata {
                json.raw(",\"metadata\":")
                S3VectorsJSON.object(metadata).write(to: &json)
            }
            json.raw("}")
        }
        json.raw("],\"distanceMetric\":")
        json.string(index.distanceMetric)
        json.raw("}")
    }

    /// Cosine distance (`1 − cos θ`, 1 for a zero vector) or Euclidean distance, in double precision.
    static func distance(_ a: [Float], _ b: [Float], metric: String) -> Double {
        var dot = 0.0
        var normA = 0.0
        var normB = 0.0
        var squares = 0.0
        for position in a.indices {
            let (x, y) = (Double(a[position]), Double(b[position]))
            dot += x * y
            normA += x * x
            normB += y * y
            squares += (x - y) * (x - y)
        }
        if metric == "euclidean" { return squares.squareRoot() }
        guard normA > 0, normB > 0 else { return 1 }
        return 1 - dot / (normA.squareRoot() * normB.squareRoot())
    }
}
