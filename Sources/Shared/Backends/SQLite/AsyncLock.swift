import Synchronization

/// Mutual exclusion for async work, granted in arrival order. Waiters suspend instead of blocking a thread, so
/// it can guard work that itself awaits (a SQLite transaction on one connection).
final class AsyncLock: Sendable {
    struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    let state: Mutex<State> = Mutex(State())

    init() {}

    /// Runs `body` once every earlier holder has finished.
    func withLock<T>(_ body: () async throws -> T) async rethrows -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }

    func lock() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the lock to the longest waiter, or releases it.
    func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
