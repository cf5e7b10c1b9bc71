import Foundation

/// `PutVectors`, `GetVectors`, `ListVectors` and `DeleteVectors` of the fake S3 Vectors service.
struct S3VectorsVectors {
    let state: S3VectorsState

    func put(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucket, name) = (try input.bucketName(), try input.indexName())
        guard let items = input.body["vectors"]?.array, (1...500).contains(items.count) else {
            throw .validation("vectors must hold 1 to 500 vectors")
        }
        try state.withIndex(bucket, name) { (index: inout S3VectorsState.Index) throws(S3VectorsError) in
            var vectors: [S3VectorsState.Vector] = []
            for item in items {
                guard let key = item["key"]?.string, (1...1024).contains(key.utf8.count) else {
                    throw .validation("Each vector needs a key of 1 to 1024 characters")
                }
                let what = "Invalid record for key '\(key)'"
                let data = try S3VectorsRequest.vectorData(item["data"], dimension: index.dimension, what: what)
                var metadata: [String: S3VectorsJSON]?
                if let value = item["metadata"] {
                    guard let object = value.object else { throw .validation("\(what): metadata must be an object") }
                    metadata = object
                }
                vectors.append(S3VectorsState.Vector(key: key, data: data, metadata: metadata))
            }
            for vector in vectors { index.vectors[vector.key] = vector }
        }
        json.raw("{}")
    }

    func get(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucket, name) = (try input.bucketName(), try input.indexName())
        guard let keys = input.body["keys"]?.array?.compactMap(\.string), (1...100).contains(keys.count) else {
            throw .validation("keys must hold 1 to 100 keys")
        }
        let found = try state.withIndex(bucket, name) { index in keys.compactMap { index.vectors[$0] } }
        write(found, data: input.bool("returnData"), metadata: input.bool("returnMetadata"), into: &json)
        json.raw("}")
    }

    func list(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucket, name) = (try input.bucketName(), try input.indexName())
        let maxResults = try input.int("maxResults", default: 500, in: 1...1000)
        let segmentCount = try input.int("segmentCount", default: 1, in: 1...16)
        let segmentIndex = try input.int("segmentIndex", default: 0, in: 0...15)
        guard segmentIndex < segmentCount else { throw .validation("segmentIndex must be less than segmentCount") }
        var after: String?
        if let token = input.body["nextToken"]?.string {
            guard let data = Data(base64Encoded: token), let key = String(data: data, encoding: .utf8) else {
                throw .validation("Invalid nextToken")
            }
            after = key
        }
        let all = try state.withIndex(bucket, name) { index in
            index.vectors.values.filter { Self.segment(of: $0.key, count: segmentCount) == segmentIndex }
        }
        let sorted = all.sorted { $0.key < $1.key }.filter { after == nil || $0.key > after! }
        let page = Array(sorted.prefix(maxResults))
        write(page, data: input.bool("returnData"), metadata: input.bool("returnMetadata"), into: &json)
        if sorted.count > page.count, let last = page.last {
            json.raw(",\"nextToken\":")
            json.string(Data(last.key.utf8).base64EncodedString())
        }
        json.raw("}")
    }

    func delete(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucket, name) = (try input.bucketName(), try input.indexName())
        guard let keys = input.body["keys"]?.array?.compactMap(\.string), (1...500).contains(keys.count) else {
            throw .validation("keys must hold 1 to 500 keys")
        }
        try state.withIndex(bucket, name) { index in
            for key in keys { index.vectors[key] = nil }
        }
        json.raw("{}")
    }

    /// `{"vectors":[…]` (the caller closes the object).
    func write(_ vectors: [S3VectorsState.Vector], data: Bool, metadata: Bool, into json: inout JSONText) {
        json.raw("{\"vectors\":[")
        for (position, vector) in vectors.enumerated() {
            if position > 0 { json.raw(",") }
            json.raw("{\"key\":")
            json.string(vector.key)
            if data {
                json.raw(",\"data\":{\"float32\":[")
                for (offset, value) in vector.data.enumerated() {
                    if offset > 0 { json.raw(",") }
                    json.float(value)
                }
                json.raw("]}")
            }
            if metadata, let values = vector.metadata {
                json.raw(",\"metadata\":")
                S3VectorsJSON.object(values).write(to: &json)
            }
            json.raw("}")
        }
        json.raw("]")
    }

    /// A stable segment for parallel listing.
    static func segment(of key: String, count: Int) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in key.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(count))
    }
}
