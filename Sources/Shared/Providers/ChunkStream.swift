import GatewaySchema
import Synchronization

/// One chunk of a started stream: an object, or the text of a chunk an OpenAI-family upstream sent that needs no
/// translation, which the relay passes on with only its `id`, `created` and `model` (and `usage`) replaced.
public enum StreamChunk: Sendable {
    case object(JSONObject)
    case text(JSONObjectText)

    /// The chunk as an object (a text chunk parsed).
    public var object: JSONObject {
        switch self {
        case .object(let object): object
        case .text(let text): text.object
        }
    }
}

/// The chunks of a started stream, from one producer to one consumer, in order and unbounded.
///
/// Unlike `AsyncThrowingStream` the consumer can take every chunk that has arrived since it last looked in one
/// call (`nextBatch`), so chunks an upstream sent together (one network read often holds several SSE events, and
/// the last content chunk, the usage chunk and the end usually come together) reach the client in one write
/// instead of one write, and one hop to the event loop, each. The first chunk is never held back.
///
/// Dropping the consumer's end (`ChunkStream`) calls `onTermination`, as does cancelling the task waiting on it.
public final class ChunkStream: AsyncSequence, Sendable {
    public typealias Element = JSONObject

    /// The producer's end.
    public struct Source: Sendable {
        let buffer = Buffer()

        public init() {}

        public func yield(_ chunk: StreamChunk) { buffer.yield(chunk) }

        public func yield(_ chunk: JSONObject) { buffer.yield(.object(chunk)) }

        /// Ends the stream: the consumer gets the chunks already yielded, then the end or `error`.
        public func finish(throwing error: (any Error)? = nil) { buffer.finish(error) }
    }

    let buffer: Buffer
    let onTermination: @Sendable () -> Void
    let terminated = Atomic(false)

    /// The consumer's end of `source`; `onTermination` runs once when the consumer goes away (this stream is
    /// dropped or the task waiting on it is cancelled).
    public init(_ source: Source, onTermination: @escaping @Sendable () -> Void = {}) {
        self.buffer = source.buffer
        self.onTermination = onTermination
    }

    deinit { terminate() }

    func terminate() {
        if !terminated.exchange(true, ordering: .relaxed) { onTermination() }
    }

    /// Every chunk that arrived and was not taken yet, waiting for the first if there is none. Empty at the end
    /// of the stream, or when the waiting task is cancelled; throws the producer's error once the chunks
    /// yielded before it were taken.
    public func nextBatch() async throws -> [StreamChunk] {
        while true {
            switch buffer.take() {
            case .chunks(let chunks): return chunks
            case .end: return []
            case .failure(let error): throw error
            case .empty:
                if Task.isCancelled {
                    terminate()
                    return []
                }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { buffer.wait($0) }
                } onCancel: {
                    buffer.wake()
                }
            }
        }
    }

    /// True once the producer ended without an error and every chunk was taken: what the consumer holds is the
    /// end of the stream.
    public var isFinished: Bool {
        buffer.state.withLock { state in
            guard state.chunks.isEmpty, case .success = state.ended else { return false }
            return true
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ChunkStream
        var pending: [StreamChunk] = []
        var index = 0

        public mutating func next() async throws -> JSONObject? {
            if index == pending.count {
                pending = try await stream.nextBatch()
                index = 0
                if pending.isEmpty { return nil }
            }
            defer { index += 1 }
            return pending[index].object
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }

    /// The shared state: chunks not taken yet, how the stream ended, and the consumer waiting for more.
    final class Buffer: Sendable {
        enum Taken {
            case chunks([StreamChunk])
            case empty
            case end
            case failure(any Error)
        }

        struct State {
            var chunks: [StreamChunk] = []
            /// Set once: nil while open, `.success` at the end, `.failure` with the producer's error.
            var ended: Result<Void, any Error>?
            var waiter: CheckedContinuation<Void, Never>?
        }

        let state = Mutex(State())

        func yield(_ chunk: StreamChunk) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.ended == nil else { return nil }
                state.chunks.append(chunk)
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func finish(_ error: (any Error)?) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.ended == nil else { return nil }
                state.ended = error.map { .failure($0) } ?? .success(())
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func take() -> Taken {
            state.withLock { state in
                if !state.chunks.isEmpty {
                    defer { state.chunks = [] }
                    return .chunks(state.chunks)
                }
                switch state.ended {
                case nil: return .empty
                case .success: return .end
                case .failure(let error): return .failure(error)
                }
            }
        }

        /// Parks the consumer until a chunk, the end, or `wake`; at once if one of them came meanwhile or the task
        /// was cancelled (its cancellation handler, `wake`, may have run before the consumer was parked).
        func wait(_ continuation: CheckedContinuation<Void, Never>) {
            let resumeNow = state.withLock { state -> Bool in
                if !state.chunks.isEmpty || state.ended != nil || Task.isCancelled { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }

        func wake() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
