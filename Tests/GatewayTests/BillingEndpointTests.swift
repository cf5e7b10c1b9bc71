import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import Logging
import Testing

@testable import GatewayWorkers

@Suite struct BillingEndpointTests {
    static let today = CalendarDay(Date())

    static func seeded() async throws -> MemoryRequestLog {
        let log = MemoryRequestLog()
        func event(_ id: String, tenant: String, daysAgo: Int, alias: String, cost: String) -> AuditEvent {
            AuditEvent(
                requestID: id, timestamp: today.advanced(by: -daysAgo).start.addingTimeInterval(60), tenant: tenant,
                keyID: "key_\(tenant)", keyLabel: "label", method: "POST", path: "/v1/chat/completions", alias: alias,
                provider: "openai", providerModel: alias, outcome: .success, httpStatus: 200, latencyMs: 1,
                promptTokens: 10, completionTokens: 5, cost: USD(cost))
        }
        try await log.insert([
            event("1", tenant: "alice", daysAgo: 0, alias: "fast", cost: "0.25"),
            event("2", tenant: "alice", daysAgo: 3, alias: "smart", cost: "1.5"),
            event("3", tenant: "bob", daysAgo: 1, alias: "fast", cost: "100"),
        ])
        return log
    }

    static func run(_ body: @Sendable (TestGateway) async throws -> Void) async throws {
        let ports = GatewayPorts(
            keys: MemoryAPIKeyStore([
                keyRecord("sk-alice", tenant: "alice"), keyRecord("sk-bob", tenant: "bob"),
                APIKeyRecord(
                    hash: APIKey.hash("sk-admin"), tenant: "ops", label: "ops", createdAt: Date(), admin: true),
            ]), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(), queue: MemoryQueue(),
            requestLog: try await seeded(), responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
        try await TestGateway.run(yaml: mockYAML, ports: ports, body)
    }

    @Test func aKeyReadsOnlyItsOwnTenant() async throws {
        try await Self.run { gateway in
            let reply = try await gateway.request("/v1/billing/usage", method: "GET", key: "sk-alice")
            #expect(reply.status == 200)
            #expect(reply.headers["cache-control"] == "no-store")
            let json = try #require(reply.json)
            #expect(json["tenantId"]?.stringValue == "alice")
            #expect(json["summary"]?["totalRequests"]?.intValue == 2)
            #expect(json["summary"]?["estimatedCostUsd"] == JSONValue.number(JSONNumber(raw: "1.75")))
            #expect(json["byModel"]?.arrayValue?.compactMap { $0["model"]?.stringValue } == ["smart", "fast"])
            #expect(json["byDate"]?.arrayValue?.count == 30)
            #expect(json["period"]?["to"]?.stringValue == Self.today.description)

            let forbidden = try await gateway.request("/v1/billing/usage?tenant=bob", method: "GET", key: "sk-alice")
            #expect(forbidden.status == 403)
            #expect(forbidden.json?["error"]?["code"]?.stringValue == "permission_denied")
            // Naming one's own tenant is allowed.
            let own = try await gateway.request("/v1/billing/usage?tenant=alice", method: "GET", key: "sk-alice")
            #expect(own.status == 200)

            let admin = try await gateway.request("/v1/billing/usage?tenant=bob", method: "GET", key: "sk-admin")
            #expect(admin.json?["tenantId"]?.stringValue == "bob")
            #expect(admin.json?["summary"]?["estimatedCostUsd"] == JSONValue.number(JSONNumber(raw: "100")))

            let anonymous = try await gateway.request("/v1/billing/usage", method: "GET", key: nil)
            #expect(anonymous.status == 401)
        }
    }

    @Test func badDatesAreA400NamingTheParameter() async throws {
        try await Self.run { gateway in
            for (query, param) in [
                ("from=2026-02-30", "from"), ("to=29-11-2026", "to"), ("from=2026-05-02&to=2026-05-01", "from"),
                ("from=2020-01-01&to=2026-01-01", "from"), ("group_by=tenant", "group_by"), ("format=xml", "format"),
            ] {
                let reply = try await gateway.request("/v1/billing/usage?\(query)", method: "GET", key: "sk-alice")
                #expect(reply.status == 400, "\(query)")
                #expect(reply.json?["error"]?["param"]?.stringValue == param, "\(query)")
                #expect(reply.json?["error"]?["message"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test func csvIsAnAttachmentGroupedAsAsked() async throws {
        try await Self.run { gateway in
            let reply = try await gateway.request(
                "/v1/billing/usage?format=csv&group_by=model", method: "GET", key: "sk-alice")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "text/csv; charset=utf-8")
            #expect(reply.headers["content-disposition"]?.hasPrefix("attachment; filename=\"usage-alice-") == true)
            let lines = reply.body.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("model,requests,") == true)
            #expect(lines.dropFirst().map { $0.split(separator: ",").first } == ["fast", "smart"])
        }
    }

    @Test func theDashboardIsServedWithAStrictPolicy() async throws {
        try await Self.run { gateway in
            for path in ["/dashboard", "/dashboard/"] {
                let page = try await gateway.request(path, method: "GET", key: nil)
                #expect(page.status == 200)
                #expect(page.headers["content-type"] == "text/html; charset=utf-8")
                let policy = try #require(page.headers["content-security-policy"])
                #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe"))
                #expect(page.headers["x-content-type-options"] == "nosniff")
                #expect(page.body.contains("/dashboard/app.js"))
            }
            let script = try await gateway.request("/dashboard/app.js", method: "GET", key: nil)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(try await gateway.request("/dashboard/secrets.txt", method: "GET", key: nil).status == 404)
        }
    }

    @Test func theEmbeddedDashboardMatchesTheFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for (name, file) in DashboardPages.files {
            var text = try String(contentsOf: root.appendingPathComponent("dashboard/\(name)"), encoding: .utf8)
            if text.hasSuffix("\n") { text.removeLast() }
            #expect(text == file.body, "dashboard/\(name) changed: run scripts/embed-dashboard")
        }
    }
}

@Suite struct AuditPricingTests {
    static var catalogue: PriceCatalogue {
        var catalogue = PriceCatalogue()
        catalogue.set("m", [ModelPrice(inputPerMillion: USD("2"), outputPerMillion: USD("8"))])
        return catalogue
    }

    static func event(_ id: String, model: String) -> AuditEvent {
        AuditEvent(
            requestID: id, timestamp: Date(), tenant: "t", method: "POST", path: "/v1/chat/completions",
            alias: "a", provider: "openai", providerModel: model, outcome: .success, httpStatus: 200,
            latencyMs: 1, promptTokens: 1500, completionTokens: 250)
    }

    static func expectPriced(_ log: MemoryRequestLog) async throws {
        #expect(try await log.find(requestID: "1")?.cost == USD("0.005"))
        let unpriced = try await log.find(requestID: "2")
        #expect(unpriced?.cost == nil && unpriced?.unpricedReason == "no price for openai/unknown")
    }

    @Test func theConsumerPricesEachEventWhenItWritesIt() async throws {
        let queue = MemoryQueue()
        let log = MemoryRequestLog()
        let consumer = AuditConsumer(queue: queue, log: log, pricing: Self.catalogue, logger: Logger(label: "test"))
        try await queue.publish(
            [
                try AuditCodec.encode(Self.event("1", model: "m")),
                try AuditCodec.encode(Self.event("2", model: "unknown")),
            ],
            topic: .audit)
        #expect(await consumer.processBatch(wait: .zero) == 2)
        try await Self.expectPriced(log)
    }

    /// Embedded mode: the publisher writes the log itself, pricing as the consumer would, once per request id.
    @Test func thePublisherThatOwnsTheLogPricesAndWritesEachEventOnce() async throws {
        let log = MemoryRequestLog()
        let publisher = AuditPublisher(.log(log, Self.catalogue), logger: Logger(label: "test"))
        publisher.emit(Self.event("1", model: "m"))
        publisher.emit(Self.event("2", model: "unknown"))
        publisher.emit(Self.event("1", model: "m"))
        await publisher.flush()
        #expect(publisher.pending == 0)
        try await Self.expectPriced(log)
        #expect(try await log.recent(limit: 10, tenant: nil).count == 2)
    }
}
