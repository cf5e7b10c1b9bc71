import Foundation
import Synchronization

/// The fake S3 Vectors service's data: vector buckets holding indexes holding vectors, in memory.
final class S3VectorsState: Sendable {
    struct Bucket {
        var name: String
        var arn: String
        var creationTime: Double
        var indexes: [String: Index] = [:]
    }

    struct Index {
        var name: String
        var arn: String
        var creationTime: Double
        var dimension: Int
        var distanceMetric: String
        var nonFilterableKeys: [String]
        var vectors: [String: Vector] = [:]
    }

    struct Vector {
        var key: String
        var data: [Float]
        var metadata: [String: S3VectorsJSON]?
    }

    let buckets = Mutex<[String: Bucket]>([:])

    /// Runs `body` on a bucket (404 when it does not exist).
    func withBucket<T: Sendable>(
        _ name: String, _ body: (inout Bucket) throws(S3VectorsError) -> T
    ) throws(S3VectorsError) -> T {
        try buckets.withLock { (all: inout [String: Bucket]) throws(S3VectorsError) -> T in
            guard var bucket = all[name] else { throw .bucketNotFound }
            defer { all[name] = bucket }
            return try body(&bucket)
        }
    }

    /// Runs `body` on an index (404 when it or its bucket does not exist).
    func withIndex<T: Sendable>(
        _ bucket: String, _ name: String, _ body: (inout Index) throws(S3VectorsError) -> T
    ) throws(S3VectorsError) -> T {
        try withBucket(bucket) { (bucket: inout Bucket) throws(S3VectorsError) -> T in
            guard var index = bucket.indexes[name] else { throw .indexNotFound }
            defer { bucket.indexes[name] = index }
            return try body(&index)
        }
    }

    func reset() {
        buckets.withLock { $0 = [:] }
    }
}
