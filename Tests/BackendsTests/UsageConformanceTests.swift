import Foundation
import GatewaySchema
import Testing

@testable import GatewayBackends
@testable import GatewayCore

/// Every request log aggregates usage the same way (SQLite in its query language, memory in Swift).
@Suite struct UsageConformanceTests {
    static let start = CalendarDay("2026-03-01")!.start

    static func event(
        _ id: String, hour: Double, tenant: String = "acme", alias: String? = "fast", key: String? = "key_a",
        outcome: AuditEvent.Outcome = .success, method: String = "POST", prompt: Int? = 100, completion: Int? = 20,
        cached: Int? = nil, cost: String? = "0.000123456789"
    ) -> AuditEvent {
        AuditEvent(
            requestID: id, timestamp: start.addingTimeInterval(hour * 3600), tenant: tenant, keyID: key,
            keyLabel: key.map { "label of \($0)" }, method: method, path: "/v1/chat/completions", alias: alias,
            provider: "openai", providerModel: "model-\(alias ?? "none")", outcome: outcome, httpStatus: 200,
            latencyMs: 1, promptTokens: prompt, completionTokens: completion, cachedTokens: cached,
            cost: cost.flatMap(USD.init), unpricedReason: cost == nil ? "no price" : nil)
    }

    static let events: [AuditEvent] = [
        event("a", hour: 0), event("b", hour: 23.99, cached: 40), event("c", hour: 24, alias: "smart", cost: "12.5"),
        event("d", hour: 25, key: "key_b", outcome: .error, prompt: nil, completion: nil, cost: "0"),
        event("e", hour: 26, outcome: .streamError), event("f", hour: 27, outcome: .clientDisconnect),
        event("g", hour: 28, alias: nil, outcome: .error, prompt: nil, completion: nil, cost: "0"),
        event("h", hour: 29, alias: "new-model", cost: nil),
        event("i", hour: 30, tenant: "other", cost: "99"), event("j", hour: 31, method: "GET", cost: "0"),
        event("k", hour: -0.01, cost: "1"), event("l", hour: 72, cost: "1"),
    ]

    @Test(arguments: Backend.available)
    func aggregatesByDayModelAndKey(backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        #expect(try await ports.requestLog.insert(Self.events) == Self.events.count)
        let query = UsageQuery(
            tenant: "acme", from: CalendarDay("2026-03-01")!, to: CalendarDay("2026-03-03")!,
            groupBy: [.model, .day, .key])
        let data = try await ports.requestLog.usage(query)
        #expect(data == UsageData.aggregate(Self.events, query: query))
        #expect(data.unpricedModels == ["openai/model-new-model"])
        let report = UsageReport(query: query, data: data)
        #expect(report.summary.requests == 8)
        #expect(report.summary.successful == 4 && report.summary.failed == 3 && report.summary.cancelled == 1)
        #expect(report.summary.cost == USD("12.500493827156")!)  // 4 × 0.000123456789 + 12.5, exactly
        #expect(report.summary.cachedInputTokens == 40)
        #expect(report.summary.unpriced == 1)
        #expect(report.byDate.map(\.totals.requests) == [2, 6, 0])
        #expect(report.byModel.map(\.model) == ["smart", "fast", "(no model)", "new-model"])
        #expect(report.byKey.first { $0.keyID == "key_b" }?.label == "label of key_b")

        let everyone = UsageQuery(tenant: nil, from: query.from, to: query.to, groupBy: [.day])
        #expect(UsageReport(query: everyone, data: try await ports.requestLog.usage(everyone)).summary.requests == 9)
    }
}
