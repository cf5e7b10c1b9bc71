import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A fake Amazon S3 Vectors (rest-json, `POST /<Operation>`): vector buckets, indexes and vectors in memory,
/// exact search (cosine or euclidean), S3 Vectors' metadata filters, and the service's validation and error
/// shapes. Proven against boto3's `s3vectors` client (and against moto for the operations moto has) by
/// `tests/e2e/test_fake_s3vectors.py`.
///
/// Requires `authorization: AWS4-HMAC-SHA256 Credential=…` and `x-amz-date` (403 otherwise); the signature
/// is verified by the tests from the request log.
struct S3VectorsService {
    enum Operation: String, CaseIterable {
        case createVectorBucket = "/CreateVectorBucket"
        case getVectorBucket = "/GetVectorBucket"
        case createIndex = "/CreateIndex"
        case getIndex = "/GetIndex"
        case deleteIndex = "/DeleteIndex"
        case putVectors = "/PutVectors"
        case getVectors = "/GetVectors"
        case listVectors = "/ListVectors"
        case deleteVectors = "/DeleteVectors"
        case queryVectors = "/QueryVectors"
    }

    static let paths = Set(Operation.allCases.map(\.rawValue))

    let state: S3VectorsState

    func respond(to request: Request, body: ByteBuffer) -> Response {
        do {
            guard request.method == .post, let operation = Operation(rawValue: request.uri.path) else {
                throw S3VectorsError.unknownOperation(request.uri.path)
            }
            guard let authorization = request.headers[.authorization],
                authorization.hasPrefix(BedrockRuntime.sigV4Prefix),
                request.headers[BedrockRuntime.amzDateHeader] != nil
            else { throw S3VectorsError.unsigned }
            let region = Self.region(authorization)
            let input = try S3VectorsRequest(body)
            var json = JSONText(capacity: 256)
            try handle(operation, input, region: region, into: &json)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", BedrockErrors.requestIDHeader: UUID().uuidString],
                body: ResponseBody(byteBuffer: json.byteBuffer))
        } catch let error as S3VectorsError {
            return error.response
        } catch {
            return S3VectorsError(status: 500, code: "InternalServerException", message: "\(error)").response
        }
    }

    func handle(
        _ operation: Operation, _ input: S3VectorsRequest, region: String, into json: inout JSONText
    ) throws(S3VectorsError) {
        switch operation {
        case .createVectorBucket: try createVectorBucket(input, region: region, into: &json)
        case .getVectorBucket: try getVectorBucket(input, into: &json)
        case .createIndex: try createIndex(input, into: &json)
        case .getIndex: try getIndex(input, into: &json)
        case .deleteIndex:
            let (bucket, index) = (try input.bucketName(), try input.indexName())
            try state.withBucket(bucket) { (bucket: inout S3VectorsState.Bucket) throws(S3VectorsError) in
                guard bucket.indexes.removeValue(forKey: index) != nil else { throw .indexNotFound }
            }
            json.raw("{}")
        case .putVectors: try S3VectorsVectors(state: state).put(input, into: &json)
        case .getVectors: try S3VectorsVectors(state: state).get(input, into: &json)
        case .listVectors: try S3VectorsVectors(state: state).list(input, into: &json)
        case .deleteVectors: try S3VectorsVectors(state: state).delete(input, into: &json)
        case .queryVectors: try S3VectorsQuery(state: state).query(input, into: &json)
        }
    }

    func createVectorBucket(_ input: S3VectorsRequest, region: String, into json: inout JSONText) throws(S3VectorsError)
    {
        let name = try input.bucketName()
        let arn = "arn:aws:s3vectors:\(region):123456789012:bucket/\(name)"
        try state.buckets.withLock { (all: inout [String: S3VectorsState.Bucket]) throws(S3VectorsError) in
            guard all[name] == nil else { throw .bucketExists }
            all[name] = S3VectorsState.Bucket(name: name, arn: arn, creationTime: Date().timeIntervalSince1970)
        }
        json.raw("{\"vectorBucketArn\":")
        json.string(arn)
        json.raw("}")
    }

    func getVectorBucket(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let bucket = try state.withBucket(try input.bucketName()) { $0 }
        json.raw("{\"vectorBucket\":{\"vectorBucketName\":")
        json.string(bucket.name)
        json.raw(",\"vectorBucketArn\":")
        json.string(bucket.arn)
        json.raw(",\"creationTime\":")
        json.raw(String(Int(bucket.creationTime)))
        json.raw(",\"encryptionConfiguration\":{\"sseType\":\"AES256\"}}}")
    }

    func createIndex(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let (bucketName, name) = (try input.bucketName(), try input.indexName())
        guard try input.string("dataType") == "float32" else { throw .validation("dataType must be float32") }
        let dimension = try input.int("dimension", in: 1...4096)
        let metric = try input.string("distanceMetric")
        guard ["cosine", "euclidean"].contains(metric) else {
            throw .validation("distanceMetric must be cosine or euclidean")
        }
        var nonFilterable: [String] = []
        if let configuration = input.body["metadataConfiguration"] {
            guard let keys = configuration["nonFilterableMetadataKeys"]?.array, (1...10).contains(keys.count),
                keys.allSatisfy({ ($0.string?.utf8.count).map { (1...63).contains($0) } ?? false })
            else { throw .validation("nonFilterableMetadataKeys must list 1 to 10 keys of 1 to 63 characters") }
            nonFilterable = keys.compactMap(\.string)
        }
        let arn = try state.withBucket(bucketName) { (bucket: inout S3VectorsState.Bucket) throws(S3VectorsError) in
            guard bucket.indexes[name] == nil else { throw .indexExists }
            let arn = "\(bucket.arn)/index/\(name)"
            bucket.indexes[name] = S3VectorsState.Index(
                name: name, arn: arn, creationTime: Date().timeIntervalSince1970, dimension: dimension,
                distanceMetric: metric, nonFilterableKeys: nonFilterable)
            return arn
        }
        json.raw("{\"indexArn\":")
        json.string(arn)
        json.raw("}")
    }

    func getIndex(_ input: S3VectorsRequest, into json: inout JSONText) throws(S3VectorsError) {
        let bucket = try input.bucketName()
        let index = try state.withIndex(bucket, try input.indexName()) { $0 }
        json.raw("{\"index\":{\"vectorBucketName\":")
        json.string(bucket)
        json.raw(",\"indexName\":")
        json.string(index.name)
        json.raw(",\"indexArn\":")
        json.string(index.arn)
        json.raw(",\"creationTime\":")
        json.raw(String(Int(index.creationTime)))
        json.raw(",\"dataType\":\"float32\",\"dimension\":")
        json.int(index.dimension)
        json.raw(",\"distanceMetric\":")
        json.string(index.distanceMetric)
        if !index.nonFilterableKeys.isEmpty {
            json.raw(",\"metadataConfiguration\":{\"nonFilterableMetadataKeys\":[")
            for (position, key) in index.nonFilterableKeys.enumerated() {
                if position > 0 { json.raw(",") }
                json.string(key)
            }
            json.raw("]}")
        }
        json.raw("}}")
    }

    /// The region of the SigV4 credential scope (`Credential=AKID/20250101/<region>/s3vectors/aws4_request`).
    static func region(_ authorization: String) -> String {
        guard let start = authorization.range(of: "Credential=") else { return "us-east-1" }
        let scope = authorization[start.upperBound...].prefix { $0 != "," && $0 != " " }.split(separator: "/")
        return scope.count >= 3 ? String(scope[2]) : "us-east-1"
    }
}
