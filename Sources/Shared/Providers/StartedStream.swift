import GatewayCore
import GatewaySchema
import Synchronization

/// A stream whose first chunk has arrived. Iterate `chunks` once; dropping it cancels the upstream call.
public struct StartedStream: Sendable {
    public let chunks: ChunkStream
    /// Cancels the upstream call; the stream then ends with a `cancelled` error.
    public let cancel: @Sendable () -> Void
    /// The usage known before the final usage chunk (Anthropic reports input tokens at the start), so a
    /// stream cut short is still logged with the tokens seen.
    public let usage: UsageReport?

    /// Runs `producer` in its own task, returning once it has yielded its first chunk and called `started()`,
    /// or throwing the error it failed with before that. Cancelling the caller or dropping the stream cancels
    /// the producer.
    public static func start(
        reporting usage: UsageReport? = nil,
        _ producer:
            @escaping @Sendable (
                _ yield: @Sendable (JSONObject) -> Void, _ started: @Sendable () -> Void
            ) async throws -> Void
    ) async throws -> StartedStream {
        try await start(
            reporting: usage,
            chunks: { yield, started in
                try await producer({ yield(.object($0)) }, started)
            })
    }

    /// `start` for a producer that may yield chunks as text (`StreamChunk.text`).
    public static func start(
        reporting usage: UsageReport? = nil,
        chunks producer:
            @escaping @Sendable (
                _ yield: @Sendable (StreamChunk) -> Void, _ started: @Sendable () -> Void
            ) async throws -> Void
    ) async throws -> StartedStream {
        let gate = StartGate()
        let source = ChunkStream.Source()
        let task = Task(executorPreference: RequestExecutor.preferred) {
            do {
                try await producer({ source.yield($0) }, { gate.open() })
                // A producer that ends before its first chunk fails the start; otherwise the stream just ends.
                _ = gate.fail(ProviderError(.invalidResponse, message: "the upstream stream ended without data"))
                source.finish()
            } catch {
                if gate.fail(error) { source.finish() } else { source.finish(throwing: error) }
            }
        }
        let stream = ChunkStream(source, onTermination: { task.cancel() })
        try await withTaskCancellationHandler {
            try await gate.wait()
        } onCancel: {
            task.cancel()
        }
        return StartedStream(chunks: stream, cancel: { task.cancel() }, usage: usage)
    }
}

/// The latest usage a stream producer knows.
public final class UsageReport: Sendable {
    let value: Mutex<Usage?> = Mutex(nil)

    public init() {}

    public func update(_ usage: Usage?) {
        guard let usage else { return }
        value.withLock { $0 = usage }
    }

    public var current: Usage? { value.withLock { $0 } }
}

/// Opened once by the producer's first chunk, or failed by its error; one waiter.
final class StartGate: Sendable {
    enum State {
        case pending(CheckedContinuation<Void, any Error>?)
        case opened
        case failed(any Error)
    }
    let state: Mutex<State> = Mutex(.pending(nil))

    func open() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .pending(let waiter) = state else { return nil }
            state = .opened
            return waiter
        }
        waiter?.resume()
    }

    /// Returns true when the gate was still pending, i.e. the error goes to the waiter.
    func fail(_ error: any Error) -> Bool {
        let (wasPending, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, any Error>?) in
            guard case .pending(let waiter) = state else { return (false, nil) }
            state = .failed(error)
            return (true, waiter)
        }
        waiter?.resume(throwing: error)
        return wasPending
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, any Error>? in
                switch state {
                case .pending:
                    state = .pending(continuation)
                    return nil
                case .opened: return .success(())
                case .failed(let error): return .failure(error)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

/// The streams in flight, so a graceful shutdown can end those still running when the drain timeout expires
/// (each then finishes with an SSE error event and is audited, instead of being cut off).
public final class StreamDrain: Sendable {
    struct State {
        var next = 0
        var active: [Int: @Sendable () -> Void] = [:]
        var draining = false
        var shuttingDown = false
    }
    let state: Mutex<State> = Mutex(State())

    public init() {}

    /// Registers a stream's cancel action; returns the token to unregister it with.
    public func register(_ cancel: @escaping @Sendable () -> Void) -> Int {
        let (token, cancelNow) = state.withLock { state -> (Int, Bool) in
            state.next += 1
            if state.draining { return (state.next, true) }
            state.active[state.next] = cancel
            return (state.next, false)
        }
        if cancelNow { cancel() }
        return token
    }

    public func unregister(_ token: Int) {
        state.withLock { _ = $0.active.removeValue(forKey: token) }
    }

    public var isDraining: Bool { state.withLock { $0.draining } }

    /// Set when a graceful shutdown begins (before streams are ended): readiness turns false so load balancers
    /// stop sending new requests while those in flight finish.
    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    public func markShuttingDown() { state.withLock { $0.shuttingDown = true } }

    public var activeCount: Int { state.withLock { $0.active.count } }

    /// Ends every stream in flight (and any that starts from now on).
    public func cancelAll() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            state.draining = true
            defer { state.active = [:] }
            return Array(state.active.values)
        }
        for action in actions { action() }
    }
}
