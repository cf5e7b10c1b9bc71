import GatewaySchema

/// The JSON shapes of the S3 Vectors API (model `s3vectors-2025-07-15`): request bodies out, typed values in.
enum S3VectorsWire {
    /// `{"float32": [...]}` (the `VectorData` union).
    static func vectorData(_ values: [Float]) -> JSONValue {
        .object(["float32": .array(values.map(number))])
    }

    /// A finite float as JSON (`Float.description` is its shortest round-trip text); non-finite become 0,
    /// which the service would reject anyway.
    static func number(_ value: Float) -> JSONValue {
        .number(JSONNumber(raw: value.isFinite ? value.description : "0"))
    }

    static func putInput(_ vector: S3Vector) -> JSONValue {
        var object: JSONObject = ["key": .string(vector.key), "data": vectorData(vector.data)]
        if let metadata = vector.metadata { object["metadata"] = .object(metadata) }
        return .object(object)
    }

    /// `GetVectors`/`ListVectors` output vectors.
    static func vectors(_ answer: JSONValue) throws -> [S3Vector] {
        guard let list = answer["vectors"]?.arrayValue else { throw invalid("vectors") }
        return try list.map { item in
            guard let key = item["key"]?.stringValue else { throw invalid("vectors[].key") }
            return S3Vector(key: key, data: try floats(item["data"]), metadata: item["metadata"]?.objectValue)
        }
    }

    static func matches(_ answer: JSONValue) throws -> [S3VectorMatch] {
        guard let list = answer["vectors"]?.arrayValue else { throw invalid("vectors") }
        return try list.map { item in
            guard let key = item["key"]?.stringValue else { throw invalid("vectors[].key") }
            return S3VectorMatch(
                key: key, distance: item["distance"]?.doubleValue.map { Float($0) },
                metadata: item["metadata"]?.objectValue)
        }
    }

    static func index(_ answer: JSONValue) throws -> S3VectorIndexDescription {
        guard let index = answer["index"], let bucket = index["vectorBucketName"]?.stringValue,
            let name = index["indexName"]?.stringValue, let dimension = index["dimension"]?.intValue
        else { throw invalid("index") }
        let nonFilterable = index["metadataConfiguration"]?["nonFilterableMetadataKeys"]?.arrayValue ?? []
        return S3VectorIndexDescription(
            bucket: bucket, name: name, arn: index["indexArn"]?.stringValue, dimension: dimension,
            distanceMetric: index["distanceMetric"]?.stringValue ?? "cosine",
            nonFilterableMetadataKeys: nonFilterable.compactMap(\.stringValue))
    }

    static func floats(_ data: JSONValue?) throws -> [Float] {
        guard let data else { return [] }
        guard let list = data["float32"]?.arrayValue else { throw invalid("data.float32") }
        return try list.map { value in
            guard let number = value.doubleValue else { throw invalid("data.float32[]") }
            return Float(number)
        }
    }

    static func invalid(_ field: String) -> AWSClientError {
        AWSClientError(.invalidResponse, message: "S3 Vectors answered without a valid `\(field)`")
    }
}
