import Synchronization

/// Runs concurrent calls that share a key as one: while a step for a key runs, later callers with that key queue,
/// and when it ends they are run together as the next step, by the first of them. Each caller learns the step's
/// output, the size of its batch and its position in it (arrival order). A caller alone waits for nothing.
///
/// Used where one round trip can serve many callers and each one costs the same (`PostgresQuotaStore`: a tenant's
/// concurrent requests were each a statement queueing on the same row locks). The step runs in a task of its own,
/// so a caller that is cancelled does not cancel the others' step.
public final class Coalescer<Key: Hashable & Sendable, Output: Sendable>: Sendable {
    public struct Share: Sendable {
        public var output: Output
        /// The number of callers the step served.
        public var size: Int
        /// This caller's place among them, from 0.
        public var position: Int
    }

    enum Signal: Sendable {
        case done(Result<Output, any Error>, size: Int, position: Int)
        /// Run the step for yourself and these callers (queued behind you, in order).
        case lead([CheckedContinuation<Signal, Never>])
    }

    /// Keys whose step runs, with the callers queued for the next one.
    let queued = Mutex<[Key: [CheckedContinuation<Signal, Never>]]>([:])

    public init() {}

    /// `step(size)` serves `size` callers at once; every caller with the same key must pass an equivalent step.
    public func run(_ key: Key, _ step: @escaping @Sendable (Int) async throws -> Output) async throws -> Share {
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
            let leads = queued.withLock { queued in
                guard queued[key] != nil else {
                    queued[key] = []
                    return true
                }
                queued[key]!.append(continuation)
                return false
            }
            if leads { continuation.resume(returning: .lead([])) }
        }
        switch signal {
        case .done(let result, let size, let position):
            return Share(output: try result.get(), size: size, position: position)
        case .lead(let followers):
            let size = followers.count + 1
            let result = await Task { try await step(size) }.result
            for (index, follower) in followers.enumerated() {
                follower.resume(returning: .done(result, size: size, position: index + 1))
            }
            let next = queued.withLock { queued -> [CheckedContinuation<Signal, Never>]? in
                guard let waiting = queued[key], !waiting.isEmpty else {
                    queued[key] = nil
                    return nil
                }
                queued[key] = []
                return waiting
            }
            if let next { next[0].resume(returning: .lead(Array(next.dropFirst()))) }
            return Share(output: try result.get(), size: size, position: 0)
        }
    }
}
