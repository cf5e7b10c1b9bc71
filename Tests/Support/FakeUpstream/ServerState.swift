import Foundation
import Synchronization

/// Everything the handlers share: options, counters and the request log.
struct ServerState: Sendable {
    /// Request log, or nil with `--no-record`.
    let recorder: RequestRecorder?
    let flaky = FlakyCounters()
    let ids = IDGenerator()
    /// Pause between streamed chunks (`--stream-delay-ms`).
    let streamDelayMilliseconds: Int
    /// The fake Google token endpoint's service account, token lifetime and issue counter.
    let googleTokens: GoogleTokens
    /// The fake S3 Vectors service's buckets, indexes and vectors (`DELETE /_fake/s3vectors` clears them).
    let s3vectors = S3VectorsState()
    /// Precomputed pieces of the `bench` model's buffered reply.
    let bench = BenchTemplate()
}

/// Monotonic suffixes for response ids (`chatcmpl-fake…`, `cmpl-fake…`).
final class IDGenerator: Sendable {
    private let counter = Atomic<Int>(0)

    func next() -> Int {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// Current Unix time in seconds, for `created`.
func unixNow() -> Int {
    Int(Date().timeIntervalSince1970)
}
