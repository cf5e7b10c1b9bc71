import Foundation
import GatewaySchema
import Testing

@testable import GatewayAWS
@testable import GatewayAWSBackends
@testable import GatewayCore

@Suite struct AWSSettingsTests {
    @Test func defaultsAndOverrides() throws {
        let defaults = try AWSSettings(environment: [:])
        #expect(defaults.apiKeysSecret == "/switchboard/api-keys" && defaults.routesTable == "switchboard-routes")
        #expect(defaults.quotasTable == "switchboard-quotas" && defaults.requestsTable == "switchboard-requests")
        #expect(defaults.stateTable == "switchboard-state" && defaults.auditQueueURL == nil)
        #expect(defaults.requestsTTLDays == 90 && defaults.secretsTTLSeconds == 300)
        let settings = try AWSSettings(environment: [
            "SWITCHBOARD_API_KEYS_SECRET": "arn:aws:secretsmanager:eu-west-1:1:secret:keys",
            "SWITCHBOARD_ROUTES_TABLE": "r", "SWITCHBOARD_QUOTAS_TABLE": "q", "SWITCHBOARD_REQUESTS_TABLE": "l",
            "SWITCHBOARD_STATE_TABLE": "s", "SWITCHBOARD_AUDIT_QUEUE_URL": "https://sqs/audit",
            "SWITCHBOARD_AUDIT_DLQ_URL": "https://sqs/dlq", "SWITCHBOARD_RAG_QUEUE_URL": "https://sqs/rag",
            "SWITCHBOARD_MEDIA_QUEUE_URL": "", "SWITCHBOARD_REQUESTS_TTL_DAYS": "30",
            "SWITCHBOARD_SECRETS_TTL_SECONDS": "60",
        ])
        #expect(settings.apiKeysSecret.hasSuffix(":secret:keys") && settings.stateTable == "s")
        #expect(
            settings.queueURL(for: .audit) == "https://sqs/audit"
                && settings.queueURL(for: .ragIngest) == "https://sqs/rag")
        #expect(settings.queueURL(for: .media) == nil, "empty means unset")
        #expect(
            settings.auditDLQURL == "https://sqs/dlq" && settings.requestsTTLDays == 30
                && settings.secretsTTLSeconds == 60)
        #expect(throws: AWSSettings.InvalidSetting(variable: "SWITCHBOARD_REQUESTS_TTL_DAYS")) {
            try AWSSettings(environment: ["SWITCHBOARD_REQUESTS_TTL_DAYS": "ninety"])
        }
        #expect(throws: AWSSettings.InvalidSetting(variable: "SWITCHBOARD_SECRETS_TTL_SECONDS")) {
            try AWSSettings(environment: ["SWITCHBOARD_SECRETS_TTL_SECONDS": "0"])
        }
    }
}

@Suite struct APIKeyMapTests {
    let plaintext = try! JSONParser.parse(
        #"{"gw_sk_alice": {"tenantId": "t_alice", "label": "alice-prod", "status": "active", "#
            + #""createdAt": "2026-04-11T00:00:00.000Z", "expiresAt": "2026-07-11T00:00:00.000Z"}, "#
            + #""gw_sk_bob": {"tenantId": "t_bob", "label": "bob-dev", "status": "revoked"}, "#
            + #""gw_sk_broken": {"label": "no tenant"}}"#
    ).objectValue!

    @Test func plaintextEntriesAreFoundByTheirHash() {
        let records = APIKeyMap.records(plaintext)
        #expect(records.count == 2)
        let alice = records[APIKey.hash("gw_sk_alice")]
        #expect(alice?.tenant == "t_alice" && alice?.status == .active && alice?.models == nil && alice?.admin == false)
        #expect(alice?.expiresAt == AWSTimestamp.parseISO8601("2026-07-11T00:00:00Z"))
        #expect(records[APIKey.hash("gw_sk_bob")]?.status == .disabled, "any other status is not active")
        #expect(records["gw_sk_alice"] == nil, "never by the plaintext key")
    }

    @Test func hashedEntriesRoundTrip() {
        let record = APIKeyRecord(
            hash: APIKey.hash("sb_sk_x"), tenant: "t", label: "l", status: .disabled,
            createdAt: Date(timeIntervalSince1970: 1_800_000_000.5),
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000),
            models: ["fast"], rpm: 10, rpd: 100, admin: true)
        #expect(APIKeyMap.record(hash: record.hash, entry: APIKeyMap.entry(record)) == record)
        #expect(
            APIKeyMap.isHash(record.hash) && !APIKeyMap.isHash("gw_sk_alice")
                && !APIKeyMap.isHash(record.hash.uppercased()))
    }

    @Test func migrationHashesPlaintextKeysAndIsIdempotent() {
        let migration = APIKeyMapMigration(plaintext)
        #expect(migration.migrated == 2 && migration.kept == 1)
        #expect(Set(migration.map.keys) == [APIKey.hash("gw_sk_alice"), APIKey.hash("gw_sk_bob"), "gw_sk_broken"])
        #expect(APIKeyMap.records(migration.map) == APIKeyMap.records(plaintext))
        #expect(migration.map[APIKey.hash("gw_sk_alice")]?["tenant"] == "t_alice")
        let again = APIKeyMapMigration(migration.map)
        #expect(again.migrated == 0 && again.kept == 3 && again.map == migration.map)
    }
}

@Suite struct ProviderSecretSourceTests {
    @Test func secretVariablesMapToCredentialVariables() {
        let sources = ProviderSecretSource.all(in: [
            "OPENAI_SECRET_ARN": "arn:1", "ANTHROPIC_SECRET_ARN_TEAM_A": "arn:2",
            "OPENAI_COMPAT_GROQ_SECRET_ARN": "arn:3",
            "SWITCHBOARD_API_KEYS_SECRET": "x", "_SECRET_ARN": "x", "OPENAI_SECRET_ARN_": "x",
            "OPENAI_SECRET_ARNX": "x",
            "MOCK_SECRET_ARN": "",
        ])
        #expect(
            sources == [
                ProviderSecretSource(variable: "ANTHROPIC_API_KEY_TEAM_A", secretID: "arn:2"),
                ProviderSecretSource(variable: "OPENAI_API_KEY", secretID: "arn:1"),
                ProviderSecretSource(variable: "OPENAI_COMPAT_GROQ_API_KEY", secretID: "arn:3"),
            ])
    }

    @Test func secretStringsHoldAKeyAPoolOrAnObject() {
        #expect(ProviderSecretSource.credential(fromSecret: "sk-plain") == "sk-plain")
        #expect(ProviderSecretSource.credential(fromSecret: #"["a","b"]"#) == #"["a","b"]"#)
        #expect(ProviderSecretSource.credential(fromSecret: #"{"api_key":"sk-1"}"#) == "sk-1")
        #expect(ProviderSecretSource.credential(fromSecret: #"{"apiKey":["x","y"]}"#) == #"["x","y"]"#)
        #expect(ProviderSecretSource.credential(fromSecret: #"{"other":"sk-1"}"#) == nil)
        #expect(ProviderSecretSource.credential(fromSecret: "") == nil)
    }
}

@Suite struct SQSPayloadTests {
    @Test func textIsSentAsItIsAndBytesAsBase64() {
        let json = Array(#"{"a":"é ✓"}"#.utf8)
        let text = SQSPayload.message(id: "0", payload: json)
        #expect(text.body == #"{"a":"é ✓"}"# && text.attributes.isEmpty)
        for payload: [UInt8] in [[0, 1], [0xFF], [], Array("bell\u{07}".utf8)] {
            let message = SQSPayload.message(id: "1", payload: payload)
            #expect(!message.attributes.isEmpty, "\(payload)")
            let received = SQSMessage(
                messageID: "m", receiptHandle: "r", body: message.body, systemAttributes: [:],
                attributes: message.attributes)
            #expect(SQSPayload.payload(of: received) == payload)
        }
    }

    @Test func batchesHoldTenMessagesAnd256KiB() throws {
        let small = (0..<23).map { SQSOutgoingMessage(id: "\($0)", body: "x") }
        #expect(try SQSQueue.batches(small).map(\.count) == [10, 10, 3])
        let large = (0..<5).map { SQSOutgoingMessage(id: "\($0)", body: String(repeating: "y", count: 100_000)) }
        #expect(try SQSQueue.batches(large).map(\.count) == [2, 2, 1])
        #expect(throws: SQSQueueError.tooLarge(bytes: 300_000)) {
            try SQSQueue.batches([SQSOutgoingMessage(id: "0", body: String(repeating: "z", count: 300_000))])
        }
    }
}
