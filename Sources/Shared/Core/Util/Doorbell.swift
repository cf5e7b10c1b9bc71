import Synchronization

/// Wakes waiters when something was added; rings coalesce. Closing ends every wait.
public final class Doorbell: Sendable {
    struct State {
        var rung = false
        var closed = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    let state: Mutex<State> = Mutex(State())

    public init() {}

    public func ring() {
        let waiters = state.withLock { state in
            state.rung = true
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume() }
    }

    public func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return state.waiters
        }
        for waiter in waiters.values { waiter.resume() }
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Waits for a ring or for `timeout`; returns false once the doorbell is closed.
    public func wait(timeout: Duration) async -> Bool {
        let ready = state.withLock { state -> Bool? in
            if state.closed { return false }
            if state.rung {
                state.rung = false
                return true
            }
            return nil
        }
        if let ready { return ready }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { state in
            if state.closed { return false }
            state.rung = false
            return true
        }
    }

    func waitForRing() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || state.closed || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
