import GatewayCore
import Synchronization

/// An in-memory at-least-once queue (tests): unacknowledged deliveries come back after `redeliverAfter`.
public final class MemoryQueue: MessageQueue {
    struct Message {
        var id: Int
        var payload: [UInt8]
        var deliveries: Int
        var invisibleUntil: ContinuousClock.Instant?
    }
    struct State {
        var nextID = 0
        var topics: [QueueTopic: [Message]] = [:]
    }

    let state: Mutex<State> = Mutex(State())
    let doorbell = Doorbell()
    let redeliverAfter: Duration

    public init(redeliverAfter: Duration = .seconds(30)) { self.redeliverAfter = redeliverAfter }

    public func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws {
        state.withLock { state in
            for payload in payloads {
                state.nextID += 1
                state.topics[topic, default: []].append(
                    Message(id: state.nextID, payload: payload, deliveries: 0, invisibleUntil: nil))
            }
        }
        doorbell.ring()
    }

    public func receive(topic: QueueTopic, max: Int, wait: Duration) async throws -> [QueueDelivery] {
        let deadline = ContinuousClock.now + wait
        while true {
            let now = ContinuousClock.now
            let batch = state.withLock { state -> [QueueDelivery] in
                var out: [QueueDelivery] = []
                guard var messages = state.topics[topic] else { return out }
                for index in messages.indices where out.count < max {
                    if let until = messages[index].invisibleUntil, until > now { continue }
                    out.append(
                        QueueDelivery(
                            receipt: String(messages[index].id), payload: messages[index].payload,
                            redeliveries: messages[index].deliveries))
                    messages[index].deliveries += 1
                    messages[index].invisibleUntil = now + redeliverAfter
                }
                state.topics[topic] = messages
                return out
            }
            if !batch.isEmpty || now >= deadline || Task.isCancelled { return batch }
            if await !doorbell.wait(timeout: min(deadline - now, .milliseconds(100))) { return [] }
        }
    }

    public func acknowledge(_ receipts: [String], topic: QueueTopic) async throws {
        let ids = Set(receipts.compactMap { Int($0) })
        state.withLock { state in state.topics[topic]?.removeAll { ids.contains($0.id) } }
    }

    public func depth(topic: QueueTopic) async throws -> Int { state.withLock { $0.topics[topic]?.count ?? 0 } }
}
