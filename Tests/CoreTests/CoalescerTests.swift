import Synchronization
import TestSupport
import Testing

@testable import GatewayCore

/// Callers that share a key while a step runs are served together by the next step, in arrival order; a caller
/// alone, or with another key, is not held.
@Suite struct CoalescerTests {
    /// A step that records the sizes it was run for and, while `held`, waits until released.
    final class Steps: Sendable {
        let sizes = Mutex<[Int]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let entered = Mutex<Int>(0)

        func run(_ size: Int, hold: Bool) async -> Int {
            sizes.withLock { $0.append(size) }
            if hold { await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } } }
            entered.withLock { $0 += 1 }
            return sizes.withLock { $0.count }
        }

        func release() { gate.withLock { $0.take() }?.resume() }
        var isHeld: Bool { gate.withLock { $0 != nil } }
    }

    @Test func callersQueuedBehindARunningStepAreServedByOneStepInArrivalOrder() async throws {
        let coalescer = Coalescer<String, Int>()
        let steps = Steps()
        let shares = try await withThrowingTaskGroup(of: (Int, Coalescer<String, Int>.Share).self) { group in
            group.addTask { (0, try await coalescer.run("k") { await steps.run($0, hold: true) }) }
            _ = await eventuallyTrue { steps.isHeld }
            for caller in 1...5 {
                group.addTask { (caller, try await coalescer.run("k") { await steps.run($0, hold: false) }) }
                // In order: each is queued before the next starts.
                _ = await eventuallyTrue { coalescer.queued.withLock { $0["k"]?.count == caller } }
            }
            steps.release()
            var shares: [Int: Coalescer<String, Int>.Share] = [:]
            for try await (caller, share) in group { shares[caller] = share }
            return shares
        }
        #expect(steps.sizes.withLock { $0 } == [1, 5])
        #expect(shares[0].map { [$0.output, $0.size, $0.position] } == [1, 1, 0])
        for caller in 1...5 {
            #expect(shares[caller].map { [$0.output, $0.size, $0.position] } == [2, 5, caller - 1])
        }
        #expect(coalescer.queued.withLock { $0.isEmpty })
    }

    @Test func anotherKeyIsNotHeldAndAFailureReachesEveryCallerOfItsStep() async throws {
        struct Refused: Error {}
        let coalescer = Coalescer<String, Int>()
        let steps = Steps()
        let results = await withTaskGroup(of: String.self) { group in
            group.addTask {
                (try? await coalescer.run("a") { await steps.run($0, hold: true) }).map { "a \($0.output)" }
                    ?? "a failed"
            }
            _ = await eventuallyTrue { steps.isHeld }
            // Another key runs at once, beside the held step.
            let other = try? await coalescer.run("b") { _ in 42 }
            #expect(other?.output == 42 && other?.size == 1)
            for _ in 0..<3 {
                group.addTask {
                    do {
                        _ = try await coalescer.run("a") { _ in throw Refused() }
                        return "followed"
                    } catch is Refused {
                        return "refused"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            _ = await eventuallyTrue { coalescer.queued.withLock { $0["a"]?.count == 3 } }
            steps.release()
            var results: [String] = []
            for await result in group { results.append(result) }
            return results.sorted()
        }
        #expect(results == ["a 1", "refused", "refused", "refused"])
    }

    @Test func aCancelledLeaderDoesNotFailItsFollowers() async throws {
        let coalescer = Coalescer<String, Int>()
        let steps = Steps()
        let leader = Task { try await coalescer.run("k") { await steps.run($0, hold: true) } }
        _ = await eventuallyTrue { steps.isHeld }
        let follower = Task {
            try await coalescer.run("k") { size in
                try Task.checkCancellation(); return size * 10
            }
        }
        _ = await eventuallyTrue { coalescer.queued.withLock { $0["k"]?.count == 1 } }
        leader.cancel()
        steps.release()
        #expect(try await leader.value.output == 1)
        #expect(try await follower.value.output == 10)
    }

    func eventuallyTrue(_ condition: () -> Bool) async -> Bool {
        await eventually(timeout: .seconds(10), every: .milliseconds(1)) { condition() }
    }
}
