import GatewaySchema
import Synchronization
import Testing

@testable import GatewayProviders

/// A started stream hands its consumer every chunk that arrived together, in order, then the end or the
/// producer's error; a consumer that goes away stops the producer.
@Suite struct ChunkStreamTests {
    struct Broke: Error, Equatable {}

    func chunk(_ n: Int) -> JSONObject { ["n": .number(JSONNumber(n))] }

    func objects(_ stream: ChunkStream) async throws -> [JSONObject] { try await stream.nextBatch().map(\.object) }

    @Test func chunksThatArrivedTogetherComeInOneBatchThenTheEnd() async throws {
        let source = ChunkStream.Source()
        let stream = ChunkStream(source)
        source.yield(chunk(1))
        #expect(try await objects(stream) == [chunk(1)])
        source.yield(chunk(2))
        source.yield(chunk(3))
        #expect(!stream.isFinished)
        source.finish()
        source.yield(chunk(4))  // after the end: dropped
        #expect(!stream.isFinished)  // 2 and 3 not taken yet
        #expect(try await objects(stream) == [chunk(2), chunk(3)])
        #expect(stream.isFinished)
        #expect(try await objects(stream) == [])
        #expect(try await objects(stream) == [])
    }

    @Test func theConsumerWaitsForTheFirstChunkAndIsNotHeldBackForMore() async throws {
        let source = ChunkStream.Source()
        let stream = ChunkStream(source)
        async let batch = objects(stream)
        try await Task.sleep(for: .milliseconds(20))
        source.yield(chunk(1))
        #expect(try await batch == [chunk(1)])
        async let end = objects(stream)
        try await Task.sleep(for: .milliseconds(20))
        source.finish()
        #expect(try await end == [])
    }

    @Test func theErrorComesAfterTheChunksYieldedBeforeIt() async throws {
        let source = ChunkStream.Source()
        let stream = ChunkStream(source)
        source.yield(chunk(1))
        source.finish(throwing: Broke())
        source.finish()  // only the first end counts
        #expect(!stream.isFinished)
        #expect(try await objects(stream) == [chunk(1)])
        await #expect(throws: Broke.self) { try await objects(stream) }
    }

    @Test func iteratingGivesEveryChunkInOrder() async throws {
        let source = ChunkStream.Source()
        let stream = ChunkStream(source)
        let producer = Task {
            for n in 0..<500 {
                source.yield(chunk(n))
                if n % 7 == 0 { await Task.yield() }
            }
            source.finish()
        }
        var seen: [JSONObject] = []
        for try await chunk in stream { seen.append(chunk) }
        await producer.value
        #expect(seen == (0..<500).map(chunk))
    }

    @Test func droppingTheStreamTerminatesOnce() {
        let calls = Mutex(0)
        let source = ChunkStream.Source()
        do {
            let stream = ChunkStream(source, onTermination: { calls.withLock { $0 += 1 } })
            source.yield(chunk(1))
            #expect(!stream.isFinished)
        }
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func cancellingTheWaitingConsumerEndsItsStreamAndTerminates() async throws {
        let calls = Mutex(0)
        let source = ChunkStream.Source()
        let stream = ChunkStream(source, onTermination: { calls.withLock { $0 += 1 } })
        let consumer = Task { try await objects(stream) }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(try await consumer.value == [])
        #expect(calls.withLock { $0 } == 1)
        // Cancelled before it waits: ends at once too.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await objects(stream)
        }
        #expect(try await early.value == [])
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func droppingAStartedStreamCancelsItsProducer() async throws {
        let cancelled = Mutex(false)
        var stream: StartedStream? = try await StartedStream.start { yield, started in
            yield(["n": 1])
            started()
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.withLock { $0 = true }
            }
        }
        do {
            let chunks = try #require(stream?.chunks)
            #expect(try await objects(chunks) == [["n": 1]])
        }
        stream = nil
        for _ in 0..<200 where !cancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(cancelled.withLock { $0 })
    }
}
