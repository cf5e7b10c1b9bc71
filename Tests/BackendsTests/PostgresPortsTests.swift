import Foundation
import GatewayCore
import Testing

@testable import GatewayPostgres

/// What only the PostgreSQL ports do (the shared behaviour is in `StoreConformanceTests`).
@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresPortsTests {
    @Test func anEventWithANULCharacterIsStoredWithAReplacementCharacter() async throws {
        let (store, teardown) = try await PostgresTestServer.startInFreshDatabase()
        let log = PostgresRequestLog(store: store)
        var stored = event("nul")
        stored.path = "/v1/chat/completions\u{0}x"
        stored.alias = "fa\u{0}st"
        var inserted = 0
        var found: AuditEvent?
        var usage: UsageData?
        do {
            inserted = try await log.insert([stored])
            found = try await log.find(requestID: "nul")
            usage = try await log.usage(
                UsageQuery(tenant: "t1", from: CalendarDay(stored.timestamp), to: CalendarDay(stored.timestamp)))
        } catch {
            await teardown()
            throw error
        }
        await teardown()
        #expect(inserted == 1, "jsonb and text reject U+0000; the row must still be written")
        #expect(found?.path == "/v1/chat/completions\u{FFFD}x")
        #expect(found?.alias == "fa\u{FFFD}st")
        #expect(usage?.rows.map(\.model) == ["fa\u{FFFD}st"])
    }
}
