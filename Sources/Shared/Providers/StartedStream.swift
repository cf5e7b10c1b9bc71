import GatewayCore
import GatewaySchema
import Synchronization

/// A stream whose first chunk has arrived. Iterate `chunks` once; dropping it cancels the upstream call.
public struct StartedStream: Sendable {
    public let chunks: AsyncThrowingStream<JSONObject, any Error>

    /// Runs `producer` in its own task, returning once it has yielded its first chunk and called `started()`,
    /// or throwing the error it failed with before that. Cancelling the caller or dropping the stream cancels
    /// the producer.
    public static func start(
        _ producer:
            @escaping @Sendable (
                _ yield: @Sendable (JSONObject) -> Void, _ started: @Sendable () -> Void
            ) async throws -> Void
    ) async throws -> StartedStream {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: JSONObject.self, throwing: (any Error).self)
        let gate = StartGate()
        let task = Task {
            do {
                try await producer({ continuation.yield($0) }, { gate.open() })
                if gate.fail(ProviderError(.invalidResponse, message: "the upstream stream ended without data")) {
                    continuation.finish()
                } else {
                    continuation.finish()
                }
            } catch {
                if gate.fail(error) { continuation.finish() } else { continuation.finish(throwing: error) }
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        try await withTaskCancellationHandler {
            try await gate.wait()
        } onCancel: {
            task.cancel()
        }
        return StartedStream(chunks: stream)
    }
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
