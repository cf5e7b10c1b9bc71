import Foundation
import GatewayAWSBackends
import GatewayPostgres
import GatewaySchema
import Logging
import Testing

@testable import GatewayBackends
@testable import GatewayCore

/// Every implementation of a port must pass the same suite: memory (tests), SQLite (embedded mode),
/// PostgreSQL (self-hosted mode; listed only when `SWITCHBOARD_TEST_POSTGRES_URL` names a server) and AWS
/// (serverless mode; listed only when `SWITCHBOARD_TEST_AWS_URL` names a moto server).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    /// Every port but the queue (a `MemoryQueue`) in a fresh database of its own.
    case postgres
    /// Secrets Manager, DynamoDB and SQS on moto (vectors in memory), with tables, queues and a secret of its own.
    case aws

    var testDescription: String { rawValue }

    /// The backends this run can test.
    static var available: [Backend] {
        allCases.filter {
            switch $0 {
            case .postgres: PostgresTestServer.url != nil
            case .aws: AWSTestService.isConfigured
            default: true
            }
        }
    }

    /// Fresh ports, plus a teardown. An unacknowledged message is delivered again after `redeliverAfter`
    /// (whole seconds, at least one, on SQS).
    func makePorts(
        redeliverAfter: Duration = .milliseconds(200)
    ) async throws -> (GatewayPorts, @Sendable () async -> Void) {
        switch self {
        case .memory:
            return (
                GatewayPorts(
                    keys: MemoryAPIKeyStore(), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(),
                    queue: MemoryQueue(redeliverAfter: redeliverAfter), requestLog: MemoryRequestLog(),
                    responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
                    ragJobs: MemoryRAGJobStore()),
                {}
            )
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
            let store = try await SQLiteStore.open(
                path: directory.appendingPathComponent("switchboard.db").path, logger: Logger(label: "test"))
            var ports = store.ports()
            ports.queue = SQLiteQueue(store: store, visibilityTimeout: redeliverAfter / .seconds(1))
            return (
                ports,
                {
                    await store.close()
                    try? FileManager.default.removeItem(at: directory)
                }
            )
        case .postgres:
            let (store, teardown) = try await PostgresTestServer.startInFreshDatabase()
            return (store.ports(queue: MemoryQueue(redeliverAfter: redeliverAfter)), teardown)
        case .aws:
            let (store, teardown) = try await AWSTestService.makeStore(
                visibilityTimeout: max(1, Int((redeliverAfter / .seconds(1)).rounded(.up))))
            return (store.ports(vectors: MemoryVectorStore()), teardown)
        }
    }
}

func event(_ id: String, tenant: String = "t1", status: Int = 200) -> AuditEvent {
    AuditEvent(
        requestID: id, timestamp: Date(timeIntervalSince1970: 1_800_000_000), tenant: tenant, keyID: "key_1",
        keyLabel: "label", method: "POST", path: "/v1/chat/completions", alias: "fast", provider: "mock",
        providerModel: "m",
        attempts: [
            .init(
                provider: "mock", model: "m", keyID: nil, endpoint: "chat/completions", result: "ok", httpStatus: 200,
                latencyMs: 1.5)
        ], stream: true, outcome: status < 400 ? .success : .error, httpStatus: status, latencyMs: 3.25,
        timeToFirstByteMs: 1, promptTokens: 5, completionTokens: 7)
}

@Suite struct StoreConformanceTests {
    @Test(arguments: Backend.available)
    func storedResponsesAreScopedToTheirTenant(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let stored = StoredResponse(
            id: "resp_1", tenant: "t1", createdAt: Date(timeIntervalSince1970: 1_800_000_000),
            response: #"{"id":"resp_1"}"#, conversation: #"[{"role":"user","content":"hi"}]"#)
        try await ports.responses.save(stored)
        #expect(try await ports.responses.find(id: "resp_1", tenant: "t1") == stored)
        #expect(try await ports.responses.find(id: "resp_1", tenant: "t2") == nil, "another tenant sees nothing")
        #expect(try await !ports.responses.delete(id: "resp_1", tenant: "t2"), "nor deletes it")
        var replaced = stored
        replaced.response = #"{"id":"resp_1","v":2}"#
        try await ports.responses.save(replaced)
        #expect(try await ports.responses.find(id: "resp_1", tenant: "t1")?.response == replaced.response)
        #expect(try await ports.responses.delete(id: "resp_1", tenant: "t1"))
        #expect(try await ports.responses.find(id: "resp_1", tenant: "t1") == nil)
        #expect(try await !ports.responses.delete(id: "resp_1", tenant: "t1"))
    }

    @Test(arguments: Backend.available)
    func keysAreFoundByHashListedAndRevoked(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let record = APIKeyRecord(
            hash: APIKey.hash("sb_sk_a"), tenant: "t1", label: "prod", createdAt: created,
            expiresAt: created.addingTimeInterval(3600), models: ["fast", "smart"], rpm: 10, rpd: nil)
        try await ports.keys.create(record)
        try await ports.keys.create(
            APIKeyRecord(
                hash: APIKey.hash("sb_sk_b"), tenant: "t2", label: "dev", createdAt: created.addingTimeInterval(1)))
        #expect(try await ports.keys.lookup(hash: APIKey.hash("sb_sk_a")) == record)
        #expect(try await ports.keys.lookup(hash: APIKey.hash("sb_sk_unknown")) == nil)
        #expect(try await ports.keys.list(tenant: nil).map(\.label) == ["dev", "prod"])
        #expect(try await ports.keys.list(tenant: "t1").map(\.label) == ["prod"])
        #expect(try await ports.keys.setStatus(keyID: record.keyID, status: .disabled))
        #expect(try await ports.keys.lookup(hash: record.hash)?.status == .disabled)
        #expect(try await !ports.keys.setStatus(keyID: "key_nothere", status: .disabled))
    }

    @Test(arguments: Backend.available)
    func routesArePutLoadedAndDeleted(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let definition = try JSONParser.parse(#"{"targets":[{"provider":"mock","model":"m"}]}"#)
        try await ports.routes.put(StoredRoute(alias: "b", definition: definition))
        try await ports.routes.put(StoredRoute(alias: "a", definition: .object([:])))
        try await ports.routes.put(StoredRoute(alias: "a", definition: definition))
        let loaded = try await ports.routes.loadAll()
        #expect(
            loaded == [
                StoredRoute(alias: "a", definition: definition), StoredRoute(alias: "b", definition: definition),
            ])
        #expect(try await ports.routes.delete(alias: "a"))
        #expect(try await !ports.routes.delete(alias: "a"))
        #expect(try await ports.routes.loadAll().map(\.alias) == ["b"])
    }

    @Test(arguments: Backend.available)
    func requestLogInsertIsIdempotent(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        #expect(try await ports.requestLog.insert([event("r1"), event("r2", tenant: "t2", status: 429)]) == 2)
        #expect(try await ports.requestLog.insert([event("r1"), event("r3")]) == 1)
        #expect(try await ports.requestLog.find(requestID: "r2") == event("r2", tenant: "t2", status: 429))
        #expect(try await ports.requestLog.recent(limit: 10, tenant: "t1").count == 2)
        #expect(try await ports.requestLog.recent(limit: 10, tenant: nil).count == 3)
        // Many rows in one call (more than one SQL statement's worth).
        let many = (0..<1000).map { event("bulk-\($0)") }
        #expect(try await ports.requestLog.insert(many) == 1000)
        #expect(try await ports.requestLog.insert(many) == 0)
        // The audit writers' path: the same idempotent write, without the count.
        try await ports.requestLog.append([event("r1"), event("a1")] + many)
        #expect(try await ports.requestLog.find(requestID: "a1") == event("a1"))
        #expect(try await ports.requestLog.insert([event("a1")]) == 0)
        #expect(try await ports.requestLog.recent(limit: 2000, tenant: nil).count == 1004)
    }

    @Test(arguments: Backend.available)
    func recentIsNewestFirstAcrossTenantsAndDays(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let events = (0..<6).map { index in
            var event = event("day-\(index)", tenant: index % 2 == 0 ? "t1" : "t2")
            event.timestamp = Date(timeIntervalSince1970: 1_800_000_000 + Double(index) * 50_000)
            return event
        }
        #expect(try await ports.requestLog.insert(events) == 6)
        #expect(
            try await ports.requestLog.recent(limit: 4, tenant: nil).map(\.requestID) == [
                "day-5", "day-4", "day-3", "day-2",
            ])
        #expect(try await ports.requestLog.recent(limit: 2, tenant: "t2").map(\.requestID) == ["day-5", "day-3"])
        #expect(
            try await ports.requestLog.recent(limit: 10, tenant: "t1").map(\.requestID) == ["day-4", "day-2", "day-0"])
        #expect(try await ports.requestLog.find(requestID: "day-3") == events[3])
    }

    @Test(arguments: Backend.available)
    func queueDeliversAtLeastOnceUntilAcknowledged(_ backend: Backend) async throws {
        // Long enough that a loaded machine cannot let the first batch reappear before the second receive.
        let (ports, teardown) = try await backend.makePorts(redeliverAfter: .seconds(3))
        defer { Task { await teardown() } }
        let queue = ports.queue
        try await queue.publish([[1], [2], [3]], topic: .audit)
        try await queue.publish([[9]], topic: .media)
        #expect(try await queue.depth(topic: .audit) == 3)
        let first = try await queue.receive(topic: .audit, max: 2, wait: .zero)
        #expect(first.map(\.payload) == [[1], [2]])
        #expect(first.allSatisfy { $0.redeliveries == 0 })
        let second = try await queue.receive(topic: .audit, max: 10, wait: .zero)
        #expect(second.map(\.payload) == [[3]], "in-flight messages are not delivered twice at once")
        try await queue.acknowledge(first.map(\.receipt), topic: .audit)
        // The unacknowledged [3] comes back after the visibility timeout.
        let again = try await queue.receive(topic: .audit, max: 10, wait: .seconds(10))
        #expect(again.map(\.payload) == [[3]])
        #expect(again.first?.redeliveries == 1)
        try await queue.acknowledge(again.map(\.receipt), topic: .audit)
        #expect(try await queue.depth(topic: .audit) == 0)
        #expect(try await queue.receive(topic: .media, max: 10, wait: .zero).map(\.payload) == [[9]])
    }

    @Test(arguments: Backend.available)
    func ragJobsAreScopedToTheirTenantAndReplaced(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        var job = RAGJob(
            id: "job_1", tenant: "t1", indexName: "docs", documentsTotal: 3,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        try await ports.ragJobs.save(job)
        #expect(try await ports.ragJobs.find(id: "job_1", tenant: "t1") == job)
        #expect(try await ports.ragJobs.find(id: "job_1", tenant: "t2") == nil, "another tenant sees nothing")
        job.documentsIngested = 2
        job.documentsFailed = 1
        job.errors = [.init(key: "doc-3", message: "empty")]
        job.finish(at: Date(timeIntervalSince1970: 1_800_000_060))
        try await ports.ragJobs.save(job)
        #expect(try await ports.ragJobs.find(id: "job_1", tenant: "t1") == job)
    }

    @Test(arguments: Backend.available)
    func receiveWakesUpWhenAMessageIsPublished(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let queue = ports.queue
        async let received = queue.receive(topic: .audit, max: 10, wait: .seconds(10))
        try await Task.sleep(for: .milliseconds(100))
        let clock = ContinuousClock()
        let start = clock.now
        try await queue.publish([[42]], topic: .audit)
        let messages = try await received
        #expect(messages.map(\.payload) == [[42]])
        #expect(clock.now - start < .seconds(5))
    }
}

/// Every quota store (the memory one for memory and SQLite, `PostgresQuotaStore` for PostgreSQL).
@Suite struct QuotaStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_030)

    @Test(arguments: Backend.available)
    func admitsExactlyTheLimitAndDoesNotCountRejections(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let store = ports.quotas
        let check = QuotaCheck(scope: "tenant:t:rpm", limit: 3, window: .minute)
        var admitted = 0
        for _ in 0..<10 where try await store.consume([check], units: 1, now: now).allowed { admitted += 1 }
        #expect(admitted == 3)
        // Rejections did not count: a larger limit on the same counter sees exactly 3 used.
        let bigger = QuotaCheck(scope: "tenant:t:rpm", limit: 5, window: .minute)
        let decision = try await store.consume([bigger], units: 1, now: now)
        #expect(decision.allowed)
        #expect(decision.counters[0].used == 4)
    }

    @Test(arguments: Backend.available)
    func aRefusalOnOneLimitCountsOnNone(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let store = ports.quotas
        let key = QuotaCheck(scope: "key:k:rpm", limit: 100, window: .minute)
        let tenant = QuotaCheck(scope: "tenant:t:rpd", limit: 2, window: .day)
        for _ in 0..<5 { _ = try await store.consume([key, tenant], units: 1, now: now) }
        let probe = try await store.consume(
            [QuotaCheck(scope: "key:k:rpm", limit: 1000, window: .minute)], units: 1, now: now)
        #expect(probe.counters[0].used == 3, "only the two admitted requests counted on the key")
        let refused = try await store.consume([key, tenant], units: 1, now: now)
        #expect(!refused.allowed)
        #expect(refused.exceeded?.check == tenant)
        #expect(refused.retryAfter(now: now.unixSeconds) == QuotaWindow.day.end(of: now.unixSeconds) - now.unixSeconds)
    }

    @Test(arguments: Backend.available)
    func windowsRollOver(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let store = ports.quotas
        let check = QuotaCheck(scope: "tenant:t:rpm", limit: 1, window: .minute)
        #expect(try await store.consume([check], units: 1, now: now).allowed)
        #expect(try await !store.consume([check], units: 1, now: now.addingTimeInterval(29)).allowed)
        let next = try await store.consume([check], units: 1, now: now.addingTimeInterval(30))
        #expect(next.allowed)
        #expect(next.counters[0].used == 1 && next.counters[0].resetAt == now.unixSeconds + 90)
    }

    @Test(arguments: Backend.available)
    func concurrentConsumersAdmitExactlyTheLimit(_ backend: Backend) async throws {
        let (ports, teardown) = try await backend.makePorts()
        defer { Task { await teardown() } }
        let store = ports.quotas
        let check = QuotaCheck(scope: "tenant:t:rpm", limit: 100, window: .minute)
        let now = self.now
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<500 { group.addTask { try await store.consume([check], units: 1, now: now).allowed } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 100)
    }
}

/// `PostgresQuotaStore` as self-hosted mode runs it: several processes, each with its own pool, counting on
/// one database.
@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresQuotaSharingTests {
    @Test func quotaExactnessWithTwoStoresSharingTheDatabaseUnderConcurrency() async throws {
        let (first, teardown) = try await PostgresTestServer.startInFreshDatabase()
        let (second, stopSecond) = PostgresTestServer.running(first.configuration)
        defer {
            Task {
                await stopSecond()
                await teardown()
            }
        }
        let stores = [PostgresQuotaStore(store: first), PostgresQuotaStore(store: second)]
        let now = Date(timeIntervalSince1970: 1_800_000_030)
        // Three checks a request, as the edge makes them; the tenant's per-minute limit is the one that binds.
        let tenantMinute = QuotaCheck(scope: "tenant:t:rpm", limit: 37, window: .minute)
        let tenantDay = QuotaCheck(scope: "tenant:t:rpd", limit: 10_000, window: .day)
        let keyMinute = QuotaCheck(scope: "key:k:rpm", limit: 1_000, window: .minute)
        let admitted = try await withThrowingTaskGroup(of: QuotaDecision.self) { group in
            for index in 0..<200 {
                // Each process lists the checks in its own order: locking must not depend on it.
                let checks =
                    index % 2 == 0 ? [tenantMinute, tenantDay, keyMinute] : [keyMinute, tenantMinute, tenantDay]
                let store = stores[index % 2]
                group.addTask { try await store.consume(checks, units: 1, now: now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }.filter(\.allowed)
        #expect(admitted.count == tenantMinute.limit)
        // Each admitted request saw its own count, as if they had come one after another (batched or not).
        let counts = admitted.compactMap { $0.counters.first { $0.check == tenantMinute }?.used }
        #expect(counts.sorted() == Array(1...tenantMinute.limit))
        // The refused 163 counted on no counter: each one holds exactly the admitted requests.
        for check in [tenantMinute, tenantDay, keyMinute] {
            let probe = QuotaCheck(scope: check.scope, limit: 1_000_000, window: check.window)
            let decision = try await stores[1].consume([probe], units: 0, now: now)
            #expect(decision.counters[0].used == tenantMinute.limit, "\(check.scope)")
        }
    }
}

@Suite struct SQLiteDurabilityTests {
    @Test func queuedMessagesAndKeysSurviveAReopen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.db").path
        let first = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        let queue = SQLiteQueue(store: first)
        try await queue.publish([[7], [8]], topic: .audit)
        _ = try await queue.receive(topic: .audit, max: 1, wait: .zero)  // in flight when the process "dies"
        try await first.ports().keys.create(APIKeyRecord(hash: "h", tenant: "t", label: "l", createdAt: Date()))
        await first.close()

        let second = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        defer { Task { await second.close() } }
        let reopened = SQLiteQueue(store: second)
        try await reopened.recoverInFlight()
        #expect(try await reopened.receive(topic: .audit, max: 10, wait: .zero).map(\.payload) == [[7], [8]])
        #expect(try await second.ports().keys.lookup(hash: "h")?.tenant == "t")
    }
}

@Suite struct QuotaPersistenceTests {
    @Test func countersSurviveARestartAndEndedWindowsAreDropped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("switchboard.db").path
        let now = Date()
        let day = QuotaCheck(scope: "key:k:rpd", limit: 5, window: .day)
        let ended = QuotaCheck(scope: "key:k:rpm", limit: 5, window: .minute)

        let first = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        let quotas = MemoryQuotaStore()
        for _ in 0..<3 { _ = try await quotas.consume([day], units: 1, now: now) }
        _ = try await quotas.consume([ended], units: 1, now: now.addingTimeInterval(-120))  // a window long over
        try await QuotaPersistence(quotas: quotas, store: first, logger: Logger(label: "test")).save()
        await first.close()

        let second = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        defer { Task { await second.close() } }
        let restored = MemoryQuotaStore()
        try await QuotaPersistence(quotas: restored, store: second, logger: Logger(label: "test")).restore()
        let decision = try await restored.consume([day], units: 1, now: now)
        #expect(decision.counters[0].used == 4, "the three requests before the restart still count")
        #expect(restored.snapshot(now: now.unixSeconds).count == 1, "the ended window was not restored")
    }
}
