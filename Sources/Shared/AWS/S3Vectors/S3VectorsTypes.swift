import GatewaySchema

/// A vector as S3 Vectors stores it: a key unique in its index, float32 data and optional JSON metadata.
public struct S3Vector: Sendable, Equatable {
    public var key: String
    /// Empty when read without `returnData`.
    public var data: [Float]
    /// Nil when read without `returnMetadata` or stored without metadata.
    public var metadata: JSONObject?

    public init(key: String, data: [Float], metadata: JSONObject? = nil) {
        self.key = key
        self.data = data
        self.metadata = metadata
    }
}

/// What `GetIndex` tells about a vector index.
public struct S3VectorIndexDescription: Sendable, Equatable {
    public var bucket: String
    public var name: String
    public var arn: String?
    public var dimension: Int
    /// `cosine` or `euclidean`.
    public var distanceMetric: String
    public var nonFilterableMetadataKeys: [String]

    public init(
        bucket: String, name: String, arn: String?, dimension: Int, distanceMetric: String,
        nonFilterableMetadataKeys: [String]
    ) {
        self.bucket = bucket
        self.name = name
        self.arn = arn
        self.dimension = dimension
        self.distanceMetric = distanceMetric
        self.nonFilterableMetadataKeys = nonFilterableMetadataKeys
    }
}

/// One result of `QueryVectors`, nearest first.
public struct S3VectorMatch: Sendable, Equatable {
    public var key: String
    /// Present when asked for with `returnDistance` (cosine: `1 − cos θ`).
    public var distance: Float?
    /// Present when asked for with `returnMetadata`.
    public var metadata: JSONObject?

    public init(key: String, distance: Float?, metadata: JSONObject?) {
        self.key = key
        self.distance = distance
        self.metadata = metadata
    }
}

/// Service limits the client respects (from the API model and the S3 Vectors user guide).
public enum S3VectorsLimits {
    /// Vectors per `PutVectors` call.
    public static let putBatch = 500
    /// Keys per `GetVectors` call.
    public static let getBatch = 100
    /// Keys per `DeleteVectors` call.
    public static let deleteBatch = 500
    /// The largest `topK` of `QueryVectors` (30 during the preview, 100 since general availability).
    public static let maxTopK = 100
    /// Keys listed in `metadataConfiguration.nonFilterableMetadataKeys`.
    public static let maxNonFilterableKeys = 10
    /// Vector dimensions an index may have.
    public static let dimensions = 1...4096
}
