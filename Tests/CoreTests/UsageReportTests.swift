import Foundation
import GatewaySchema
import Testing

@testable import GatewayCore

@Suite struct UsageQueryTests {
    let today = CalendarDay("2026-11-29")!

    func parse(from: String? = nil, to: String? = nil, groupBy: String? = nil) throws(GatewayError) -> UsageQuery {
        try UsageQuery.parse(tenant: "t", from: from, to: to, groupBy: groupBy, today: today)
    }

    @Test func defaultsToTheLastThirtyDaysByModelAndDay() throws {
        let query = try parse()
        #expect(query.from.description == "2026-10-31" && query.to == today)
        #expect(query.groupBy == [.model, .day])
        #expect(query.end.timeIntervalSince(query.start) == 30 * 86_400)
    }

    @Test func datesAndRangesAreValidatedWithClearMessages() {
        func message(_ body: () throws -> UsageQuery) -> String? {
            do {
                _ = try body()
                return nil
            } catch let error as GatewayError {
                #expect(error.status == 400)
                return error.message
            } catch {
                Issue.record("\(error)")
                return nil
            }
        }
        #expect(
            message { try parse(from: "2026-11-31") }?.contains("'from' must be a date in the form YYYY-MM-DD") == true)
        #expect(message { try parse(to: "yesterday") }?.contains("'to' must be a date") == true)
        #expect(
            message { try parse(from: "2026-11-02", to: "2026-11-01") }
                == "'from' (2026-11-02) must not be after 'to' (2026-11-01).")
        #expect(message { try parse(from: "2025-01-01", to: "2026-01-02") }?.contains("at most 366 days") == true)
        #expect(message { try parse(from: "2025-01-01", to: "2026-01-01") } == nil)  // 366 days
        #expect(message { try parse(groupBy: "model,tenant") }?.contains("'group_by'") == true)
    }

    @Test func groupingAcceptsAliasesAndKeepsOrder() throws {
        #expect(try parse(groupBy: "key, date,alias,key").groupBy == [.key, .day, .model])
    }
}

@Suite struct UsageReportTests {
    static let start = CalendarDay("2026-11-01")!.start

    static func event(
        _ id: String, day: Int, tenant: String = "acme", alias: String? = "fast", key: String = "key_a",
        outcome: AuditEvent.Outcome = .success, prompt: Int = 10, completion: Int = 5, cost: String? = "0.001",
        method: String = "POST"
    ) -> AuditEvent {
        AuditEvent(
            requestID: id, timestamp: start.addingTimeInterval(Double(day) * 86_400 + 3_600), tenant: tenant,
            keyID: key,
            keyLabel: key == "key_a" ? "prod" : "dev", method: method, path: "/v1/chat/completions", alias: alias,
            provider: "openai", providerModel: alias.map { "m-\($0)" }, outcome: outcome, httpStatus: 200, latencyMs: 1,
            promptTokens: prompt, completionTokens: completion, cachedTokens: 2, cost: cost.flatMap(USD.init),
            unpricedReason: cost == nil ? "no price" : nil)
    }

    static let events = [
        event("1", day: 0), event("2", day: 0, alias: "smart", cost: "0.01"),
        event("3", day: 2, key: "key_b", outcome: .error, prompt: 0, completion: 0, cost: "0"),
        event("4", day: 2, outcome: .clientDisconnect),
        event("5", day: 2, alias: "=HYPERLINK(\"x\")", cost: nil),
        event("6", day: 1, tenant: "other", cost: "5"),  // another tenant
        event("7", day: 1, cost: "0", method: "GET"),  // reading the API is not usage
        event("8", day: 9, cost: "7"),  // after the range
    ]

    let query = UsageQuery(
        tenant: "acme", from: CalendarDay("2026-11-01")!, to: CalendarDay("2026-11-04")!, groupBy: [.model, .day, .key])

    @Test func summarisesTheTenantsModelCallsInTheRange() throws {
        let report = UsageReport(query: query, data: UsageData.aggregate(Self.events, query: query))
        let summary = try #require(report.json["summary"])
        #expect(summary["totalRequests"]?.intValue == 5)
        #expect(summary["successfulRequests"]?.intValue == 3)
        #expect(summary["failedRequests"]?.intValue == 1)
        #expect(summary["cancelledRequests"]?.intValue == 1)
        #expect(summary["successRate"]?.doubleValue == 0.6)
        #expect(summary["totalInputTokens"]?.intValue == 40)
        #expect(summary["totalOutputTokens"]?.intValue == 20)
        #expect(summary["totalCachedInputTokens"]?.intValue == 10)
        #expect(summary["estimatedCostUsd"] == JSONValue.number(JSONNumber(raw: "0.012")))
        #expect(summary["unpricedRequests"]?.intValue == 1)
        #expect(report.json["tenantId"]?.stringValue == "acme")
        #expect(report.json["period"]?["from"]?.stringValue == "2026-11-01")
        #expect(report.json["unpricedModels"] == JSONValue.array([.string("openai/m-=HYPERLINK(\"x\")")]))
    }

    @Test func breaksDownByModelDayAndKey() throws {
        let report = UsageReport(query: query, data: UsageData.aggregate(Self.events, query: query))
        let byModel = try #require(report.json["byModel"]?.arrayValue)
        #expect(byModel.compactMap { $0["model"]?.stringValue } == ["smart", "fast", "=HYPERLINK(\"x\")"])
        #expect(byModel[1]["requests"]?.intValue == 3 && byModel[1]["failedRequests"]?.intValue == 1)
        let byDate = try #require(report.json["byDate"]?.arrayValue)
        #expect(
            byDate.compactMap { $0["date"]?.stringValue } == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"])
        #expect(byDate.compactMap { $0["requests"]?.intValue } == [2, 0, 3, 0])
        let byKey = try #require(report.json["byKey"]?.arrayValue)
        #expect(byKey.compactMap { $0["keyId"]?.stringValue } == ["key_a", "key_b"])
        #expect(byKey.first?["label"]?.stringValue == "prod")
    }

    @Test func breakdownsNotAskedForAreLeftOut() {
        let byDay = UsageQuery(tenant: "acme", from: query.from, to: query.to, groupBy: [.day])
        let json = UsageReport(query: byDay, data: UsageData.aggregate(Self.events, query: byDay)).json
        #expect(json["byDate"] != nil && json["byModel"] == nil && json["byKey"] == nil)
    }

    @Test func csvHasOneLinePerGroupAndDefusesFormulas() {
        let csvQuery = UsageQuery(tenant: "acme", from: query.from, to: query.to, groupBy: [.model, .day])
        let csv = UsageReport(query: csvQuery, data: UsageData.aggregate(Self.events, query: csvQuery)).csv
        let lines = csv.split(separator: "\r\n").map(String.init)
        #expect(
            lines.first
                == "date,model,requests,successful_requests,failed_requests,cancelled_requests,input_tokens,"
                + "output_tokens,cached_input_tokens,estimated_cost_usd,unpriced_requests")
        #expect(lines.count == 5)
        #expect(lines[1] == "2026-11-01,fast,1,1,0,0,10,5,2,0.001,0")
        #expect(lines.contains("2026-11-03,\"'=HYPERLINK(\"\"x\"\")\",1,1,0,0,10,5,2,0,1"))
        // Grouping by day alone lists every day, with zeros.
        let daily = UsageQuery(tenant: "acme", from: query.from, to: query.to, groupBy: [.day])
        let dailyCSV = UsageReport(query: daily, data: UsageData.aggregate(Self.events, query: daily)).csv
        #expect(dailyCSV.split(separator: "\r\n").count == 5)
        #expect(dailyCSV.contains("2026-11-02,0,0,0,0,0,0,0,0,0\r\n"))
    }
}
