import AsyncHTTPClient
import GatewaySchema
import Logging

/// Amazon S3 Vectors (rest-json, SigV4 service `s3vectors`): vector buckets, indexes, and the vector
/// operations a vector store needs. Calls larger than the service's per-call limits (`S3VectorsLimits`) are
/// split into batches, sent one after another; throttling and server errors are retried by `AWSJSONClient`.
/// Failures are `AWSServiceError` (the service's code, e.g. `NotFoundException`) or `AWSClientError`.
public struct S3VectorsClient: Sendable {
    public let json: AWSJSONClient

    /// - Parameter baseURL: another endpoint than `https://s3vectors.<region>.api.aws` (tests, moto).
    public init(
        region: AWSRegion, baseURL: String? = nil, credentials: any AWSCredentialProvider, httpClient: HTTPClient,
        retryPolicy: AWSRetryPolicy = AWSRetryPolicy(), logger: Logger = Logger(label: "switchboard.s3vectors")
    ) {
        let endpoint =
            baseURL.map { AWSEndpoint(baseURL: $0) }
            ?? AWSEndpoint.regional(service: "s3vectors", region: region, suffix: "api.aws")
        json = AWSJSONClient(
            service: "s3vectors", region: region, endpoint: endpoint, credentials: credentials,
            httpClient: httpClient, retryPolicy: retryPolicy, logger: logger)
    }

    public init(json: AWSJSONClient) {
        self.json = json
    }

    // MARK: Buckets

    public func createVectorBucket(_ name: String) async throws {
        _ = try await json.post("/CreateVectorBucket", body: ["vectorBucketName": .string(name)])
    }

    /// The bucket's ARN, or nil when it does not exist.
    public func getVectorBucket(_ name: String) async throws -> String? {
        do {
            let answer = try await json.post("/GetVectorBucket", body: ["vectorBucketName": .string(name)])
            return answer["vectorBucket"]?["vectorBucketArn"]?.stringValue ?? ""
        } catch let error as AWSServiceError where error.code == "NotFoundException" {
            return nil
        }
    }

    // MARK: Indexes

    /// Creates a float32 index. Throws `ConflictException` when it exists already.
    public func createIndex(
        bucket: String, name: String, dimension: Int, distanceMetric: String = "cosine",
        nonFilterableMetadataKeys: [String] = []
    ) async throws {
        var body: JSONObject = [
            "vectorBucketName": .string(bucket), "indexName": .string(name), "dataType": "float32",
            "dimension": .number(JSONNumber(dimension)), "distanceMetric": .string(distanceMetric),
        ]
        if !nonFilterableMetadataKeys.isEmpty {
            body["metadataConfiguration"] = [
                "nonFilterableMetadataKeys": .array(nonFilterableMetadataKeys.map { .string($0) })
            ]
        }
        _ = try await json.post("/CreateIndex", body: .object(body))
    }

    /// The index, or nil when it (or its bucket) does not exist.
    public func getIndex(bucket: String, name: String) async throws -> S3VectorIndexDescription? {
        do {
            return try S3VectorsWire.index(await json.post("/GetIndex", body: .object(Self.index(bucket, name))))
        } catch let error as AWSServiceError where error.code == "NotFoundException" {
            return nil
        }
    }

    public func deleteIndex(bucket: String, name: String) async throws {
        _ = try await json.post("/DeleteIndex", body: .object(Self.index(bucket, name)))
    }

    // MARK: Vectors

    /// Writes (inserts or overwrites) vectors, `S3VectorsLimits.putBatch` per call.
    public func putVectors(bucket: String, index: String, _ vectors: [S3Vector]) async throws {
        for batch in vectors.chunked(S3VectorsLimits.putBatch) {
            var body = Self.index(bucket, index)
            body["vectors"] = .array(batch.map(S3VectorsWire.putInput))
            _ = try await json.post("/PutVectors", body: .object(body))
        }
    }

    /// The vectors with these keys that exist (in the service's order), `S3VectorsLimits.getBatch` keys per call.
    public func getVectors(
        bucket: String, index: String, keys: [String], returnData: Bool = false, returnMetadata: Bool = true
    ) async throws -> [S3Vector] {
        var found: [S3Vector] = []
        for batch in keys.chunked(S3VectorsLimits.getBatch) {
            var body = Self.index(bucket, index)
            body["keys"] = .array(batch.map { .string($0) })
            body["returnData"] = .bool(returnData)
            body["returnMetadata"] = .bool(returnMetadata)
            found += try S3VectorsWire.vectors(await json.post("/GetVectors", body: .object(body)))
        }
        return found
    }

    /// Deletes vectors by key (absent keys are ignored by the service), `S3VectorsLimits.deleteBatch` per call.
    public func deleteVectors(bucket: String, index: String, keys: [String]) async throws {
        for batch in keys.chunked(S3VectorsLimits.deleteBatch) {
            var body = Self.index(bucket, index)
            body["keys"] = .array(batch.map { .string($0) })
            _ = try await json.post("/DeleteVectors", body: .object(body))
        }
    }

    /// The `topK` nearest vectors passing `filter` (S3 Vectors' filter syntax), nearest first. `topK` is clamped
    /// to `1...S3VectorsLimits.maxTopK`.
    public func queryVectors(
        bucket: String, index: String, vector: [Float], topK: Int, filter: JSONValue? = nil,
        returnMetadata: Bool = true, returnDistance: Bool = true
    ) async throws -> [S3VectorMatch] {
        var body = Self.index(bucket, index)
        body["topK"] = .number(JSONNumber(min(max(topK, 1), S3VectorsLimits.maxTopK)))
        body["queryVector"] = S3VectorsWire.vectorData(vector)
        if let filter { body["filter"] = filter }
        body["returnMetadata"] = .bool(returnMetadata)
        body["returnDistance"] = .bool(returnDistance)
        return try S3VectorsWire.matches(await json.post("/QueryVectors", body: .object(body)))
    }

    static func index(_ bucket: String, _ name: String) -> JSONObject {
        ["vectorBucketName": .string(bucket), "indexName": .string(name)]
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (none for an empty array).
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
