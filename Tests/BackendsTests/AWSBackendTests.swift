import Foundation
import GatewayAWS
import GatewayAWSBackends
import GatewaySchema
import Synchronization
import Testing

@testable import GatewayBackends
@testable import GatewayCore

/// The AWS backends against moto with SigV4 checking on (`scripts/moto start`); skipped without it.
@Suite(.enabled(if: AWSTestService.isConfigured)) struct AWSBackendTests {
    @Test func aWrongSecretKeyIsRefusedSoSignaturesAreChecked() async throws {
        let (store, teardown) = try await AWSTestService.makeStore()
        defer { Task { await teardown() } }
        let queue = try #require(store.settings.auditQueueURL)
        let wrong = "wrong-secret-\(UUID().uuidString)"
        @Sendable func forged(_ service: AWSServiceEndpoint) -> AWSJSONClient {
            AWSJSONClient(
                service: service, region: AWSTestService.region,
                environment: ["AWS_ENDPOINT_URL": AWSTestService.url ?? ""],
                credentials: AWSTestService.credentials(secretAccessKey: wrong), httpClient: store.httpClient)
        }
        // Each service answers the right signature and refuses the wrong one.
        let calls: [(String, @Sendable (Bool) async throws -> Void)] = [
            (
                "SQS",
                { good in
                    let client = good ? store.sqs : SQSClient(json: forged(.sqs))
                    _ = try await client.getQueueAttributes(queueURL: queue, names: ["QueueArn"])
                }
            ),
            (
                "DynamoDB",
                { good in
                    let client = good ? store.dynamoDB : DynamoDBClient(json: forged(.dynamoDB))
                    _ = try await client.describeTable(store.settings.routesTable)
                }
            ),
            (
                "Secrets Manager",
                { good in
                    let client = good ? store.secretsManager : SecretsManagerClient(json: forged(.secretsManager))
                    _ = try await client.getSecretString(id: store.settings.apiKeysSecret)
                }
            ),
        ]
        for (name, call) in calls {
            try await call(true)
            let error = await #expect(throws: AWSServiceError.self, "\(name)") { try await call(false) }
            #expect([400, 403].contains(error?.status), "\(name): \(String(describing: error))")
            #expect(
                ["SignatureDoesNotMatch", "InvalidSignatureException", "UnrecognizedClientException"].contains(
                    error?.code), "\(name): \(String(describing: error))")
            #expect(error.map { !"\($0)".contains(wrong) } ?? false, "the secret is not in the error")
        }
    }

    /// Two checks a request (one transaction each), 150 requests, a limit of 37 on one of them, sequential and
    /// concurrent: exactly 37 are admitted and the refused ones count on neither counter. (This holds against moto
    /// only because `scripts/moto-server.py` gives it DynamoDB's serializable transactions; see that file.)
    @Test func quotasAdmitExactlyTheLimitWithTwoChecks() async throws {
        let (store, teardown) = try await AWSTestService.makeStore()
        defer { Task { await teardown() } }
        let quotas = store.ports(vectors: MemoryVectorStore()).quotas
        let now = Date(timeIntervalSince1970: 1_800_000_030)

        func run(_ scope: String, concurrently: Bool) async throws -> (admitted: Int, counts: [Int]) {
            let tenantMinute = QuotaCheck(scope: "tenant:\(scope):rpm", limit: 37, window: .minute)
            let keyDay = QuotaCheck(scope: "key:\(scope):rpd", limit: 10_000, window: .day)
            var admitted = 0
            if concurrently {
                admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<150 {
                        let checks = index % 2 == 0 ? [tenantMinute, keyDay] : [keyDay, tenantMinute]
                        group.addTask { try await quotas.consume(checks, units: 1, now: now).allowed }
                    }
                    return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            } else {
                for _ in 0..<150 where try await quotas.consume([keyDay, tenantMinute], units: 1, now: now).allowed {
                    admitted += 1
                }
            }
            var counts: [Int] = []
            for check in [tenantMinute, keyDay] {
                let probe = QuotaCheck(scope: check.scope, limit: 1_000_000, window: check.window)
                counts.append(try await quotas.consume([probe], units: 0, now: now).counters[0].used)
            }
            return (admitted, counts)
        }

        let sequential = try await run("sequential", concurrently: false)
        #expect(sequential.admitted == 37 && sequential.counts == [37, 37])
        let concurrent = try await run("concurrent", concurrently: true)
        #expect(concurrent.admitted == 37)
        #expect(concurrent.counts == [37, 37], "refusals counted nowhere")
    }

    @Test func theOriginalPlaintextKeyMapIsReadAndMigrated() async throws {
        let (store, teardown) = try await AWSTestService.makeStore()
        defer { Task { await teardown() } }
        let original = """
            {"gw_sk_alice_key": {"tenantId": "t_alice", "label": "alice-prod", "status": "active",
              "createdAt": "2026-04-11T00:00:00.000Z", "expiresAt": "2026-07-11T00:00:00.000Z"},
             "gw_sk_bob_key": {"tenantId": "t_bob", "label": "bob-dev"}}
            """
        try await store.secretsManager.createSecret(name: store.settings.apiKeysSecret, original)
        let keys = store.apiKeys
        let alice = try #require(try await keys.lookup(hash: APIKey.hash("gw_sk_alice_key")))
        #expect(alice.tenant == "t_alice" && alice.label == "alice-prod" && alice.status == .active)
        #expect(alice.createdAt == AWSTimestamp.parseISO8601("2026-04-11T00:00:00Z"))
        #expect(alice.expiresAt == AWSTimestamp.parseISO8601("2026-07-11T00:00:00Z"))
        #expect(try await keys.setStatus(keyID: APIKey.keyID(forHash: APIKey.hash("gw_sk_bob_key")), status: .disabled))

        let result = try await keys.migratePlaintextKeys()
        #expect(result.migrated == 2 && result.kept == 0)
        let text = try #require(try await store.secretsManager.getSecretString(id: store.settings.apiKeysSecret))
        #expect(!text.contains("gw_sk_"), "no plaintext key is left in the secret")
        let fresh = store.apiKeys
        #expect(try await fresh.lookup(hash: APIKey.hash("gw_sk_alice_key")) == alice)
        #expect(try await fresh.lookup(hash: APIKey.hash("gw_sk_bob_key"))?.status == .disabled)
        let again = try await fresh.migratePlaintextKeys()
        #expect(again.migrated == 0 && again.kept == 2, "migrating twice changes nothing")
    }

    @Test func deadLettersAreReplayedToTheirQueue() async throws {
        let (store, teardown) = try await AWSTestService.makeStore(visibilityTimeout: 1, maxReceiveCount: 1)
        defer { Task { await teardown() } }
        let queue = store.ports(vectors: MemoryVectorStore()).queue
        let payload = Array(#"{"request_id":"r1"}"#.utf8)
        try await queue.publish([payload], topic: .audit)
        #expect(try await queue.receive(topic: .audit, max: 10, wait: .seconds(1)).map(\.payload) == [payload])
        // Not acknowledged: after the visibility timeout, the next receive moves it to the DLQ.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await queue.receive(topic: .audit, max: 10, wait: .seconds(1)).isEmpty)
        let dlq = try #require(store.settings.auditDLQURL)
        let inDLQ = try await store.sqs.getQueueAttributes(queueURL: dlq, names: ["ApproximateNumberOfMessages"])
        #expect(inDLQ["ApproximateNumberOfMessages"] == "1")

        let replay = try #require(store.auditDLQReplay)
        #expect(try await replay.run() == 1)
        let back = try await queue.receive(topic: .audit, max: 10, wait: .seconds(2))
        #expect(back.map(\.payload) == [payload])
        try await queue.acknowledge(back.map(\.receipt), topic: .audit)
        let left = try await store.sqs.getQueueAttributes(queueURL: dlq, names: ["ApproximateNumberOfMessages"])
        #expect(left["ApproximateNumberOfMessages"] == "0")
    }

    @Test func providerKeysComeFromSecretsAndFollowRotation() async throws {
        let (store, teardown) = try await AWSTestService.makeStore()
        defer { Task { await teardown() } }
        let secrets = store.secretsManager
        let prefix = store.settings.routesTable
        try await secrets.createSecret(name: "\(prefix)/openai", #"["sk-one","sk-two"]"#)
        try await secrets.createSecret(name: "\(prefix)/anthropic", #"{"api_key":"sk-ant"}"#)
        try await secrets.createSecret(name: "\(prefix)/groq-team-a", "gsk-team-a")
        let environment = [
            "OPENAI_SECRET_ARN": "\(prefix)/openai", "ANTHROPIC_SECRET_ARN": "\(prefix)/anthropic",
            "OPENAI_COMPAT_GROQ_SECRET_ARN_TEAM_A": "\(prefix)/groq-team-a",
        ]
        let overlay = CredentialOverlay()
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let provider = ProviderSecrets(
            client: secrets, overlay: overlay, sources: ProviderSecretSource.all(in: environment), ttl: .seconds(300),
            now: { start + elapsed.withLock { $0 } })
        await provider.refreshIfStale()
        let resolver = CredentialResolver(
            config: try ConfigLoader.load(yaml: "", fileName: "test", environment: [:]), overlay: overlay)
        let openAI = ProviderRef(family: .openai)
        #expect((0..<3).map { _ in resolver.credential(for: openAI, keyID: nil) } == ["sk-one", "sk-two", "sk-one"])
        #expect(resolver.credential(for: ProviderRef(family: .anthropic), keyID: nil) == "sk-ant")
        let groq = ProviderRef(family: .openaiCompatible, profile: "groq")
        #expect(resolver.credential(for: groq, keyID: "team-a") == "gsk-team-a")

        try await secrets.putSecretString(id: "\(prefix)/openai", "sk-rotated")
        elapsed.withLock { $0 = .seconds(299) }
        await provider.refreshIfStale()
        #expect(resolver.credential(for: openAI, keyID: nil) != "sk-rotated", "not before the TTL")
        elapsed.withLock { $0 = .seconds(300) }
        await provider.refreshIfStale()
        #expect(resolver.credential(for: openAI, keyID: nil) == "sk-rotated")

        // A secret that cannot be read keeps the last value.
        let broken = ProviderSecrets(
            client: secrets, overlay: overlay,
            sources: [ProviderSecretSource(variable: "OPENAI_API_KEY", secretID: "\(prefix)/missing")], ttl: .seconds(1)
        )
        #expect(await broken.refresh() == 1)
        #expect(resolver.credential(for: openAI, keyID: nil) == "sk-rotated")
    }

    @Test func sqsCarriesEveryKindOfPayloadInBatches() async throws {
        let (store, teardown) = try await AWSTestService.makeStore(visibilityTimeout: 30)
        defer { Task { await teardown() } }
        let queue = store.ports(vectors: MemoryVectorStore()).queue
        var payloads: [[UInt8]] = (0..<20).map { Array(#"{"n":\#($0),"text":"héllo ✓ 𝄞"}"#.utf8) }
        payloads += [[], [0, 1, 2, 255], Array("tab\tnewline\n".utf8), [0xED, 0xA0, 0x80]]
        payloads += (0..<3).map { Array(String(repeating: "x", count: 100_000 + $0).utf8) }  // > 256 KiB together
        try await queue.publish(payloads, topic: .media)
        #expect(try await queue.depth(topic: .media) == payloads.count)
        var received: [QueueDelivery] = []
        for _ in 0..<20 where received.count < payloads.count {
            received += try await queue.receive(topic: .media, max: 10, wait: .seconds(1))
        }
        #expect(
            received.map(\.payload).sorted { $0.lexicographicallyPrecedes($1) }
                == payloads.sorted { $0.lexicographicallyPrecedes($1) })
        try await queue.acknowledge(received.map(\.receipt), topic: .media)
        #expect(try await queue.depth(topic: .media) == 0)
    }
}
