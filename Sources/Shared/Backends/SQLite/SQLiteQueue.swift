import GatewayCore
import NIOCore
import SQLiteNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The embedded mode's durable queue: a table in the SQLite file. `publish` returns once the rows are
/// committed; a received message stays invisible for `visibilityTimeout` and comes back unless acknowledged.
public final class SQLiteQueue: MessageQueue {
    let store: SQLiteStore
    let doorbell = Doorbell()
    let visibilityTimeout: Double

    public init(store: SQLiteStore, visibilityTimeout: Double = 60) {
        self.store = store
        self.visibilityTimeout = visibilityTimeout
    }

    /// After a restart nothing is in flight any more: make every message visible again.
    public func recoverInFlight() async throws {
        try await store.execute("UPDATE queue SET visible_at = 0 WHERE visible_at > 0")
    }

    public func publish(_ payloads: [[UInt8]], topic: QueueTopic) async throws {
        guard !payloads.isEmpty else { return }
        for start in stride(from: 0, to: payloads.count, by: 400) {
            let slice = payloads[start..<min(start + 400, payloads.count)]
            var sql = "INSERT INTO queue (topic, payload) VALUES "
            var binds: [SQLiteData] = []
            binds.reserveCapacity(slice.count * 2)
            for (index, payload) in slice.enumerated() {
                sql += index == 0 ? "(?, ?)" : ", (?, ?)"
                binds.append(.text(topic.rawValue))
                binds.append(.blob(ByteBuffer(bytes: payload)))
            }
            try await store.execute(sql, binds)
        }
        doorbell.ring()
    }

    public func receive(topic: QueueTopic, max: Int, wait: Duration) async throws -> [QueueDelivery] {
        let deadline = ContinuousClock.now + wait
        while true {
            let now = Date().timeIntervalSince1970
            let rows = try await store.rows(
                """
                UPDATE queue SET visible_at = ?, deliveries = deliveries + 1
                WHERE id IN (SELECT id FROM queue WHERE topic = ? AND visible_at <= ? ORDER BY id LIMIT ?)
                RETURNING id, payload, deliveries
                """,
                [.float(now + visibilityTimeout), .text(topic.rawValue), .float(now), .integer(numericCast(max))])
            if !rows.isEmpty {
                return rows.map { row in
                    var payload = row.column("payload")?.blob ?? ByteBuffer()
                    return QueueDelivery(
                        receipt: String(row.column("id")?.integer ?? 0),
                        payload: payload.readBytes(length: payload.readableBytes) ?? [],
                        redeliveries: Int(row.column("deliveries")?.integer ?? 1) - 1)
                }
                .sorted { (Int($0.receipt) ?? 0) < (Int($1.receipt) ?? 0) }
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero || Task.isCancelled { return [] }
            if await !doorbell.wait(timeout: min(remaining, .milliseconds(250))) { return [] }
        }
    }

    public func acknowledge(_ receipts: [String], topic: QueueTopic) async throws {
        let ids = receipts.compactMap { Int64($0) }
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = ids[start..<min(start + 500, ids.count)]
            let placeholders = Array(repeating: "?", count: slice.count).joined(separator: ", ")
            try await store.execute(
                "DELETE FROM queue WHERE id IN (\(placeholders))", slice.map { .integer(numericCast($0)) })
        }
    }

    public func depth(topic: QueueTopic) async throws -> Int {
        let rows = try await store.rows("SELECT COUNT(*) AS n FROM queue WHERE topic = ?", [.text(topic.rawValue)])
        return Int(rows.first?.column("n")?.integer ?? 0)
    }
}
