import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayLambda

@Suite struct TokenAuthorizerTests {
    static let key = "sb_sk_0123456789abcdefghijABCDEFGHIJklmnopqrst"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let methodARN = "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/POST/v1/chat/completions"

    static func record(status: APIKeyRecord.Status = .active, expiresAt: Date? = nil) -> APIKeyRecord {
        APIKeyRecord(
            hash: APIKey.hash(key), tenant: "acme", label: "ci", status: status, createdAt: now,
            expiresAt: expiresAt, models: ["gpt-4o", "claude"], rpm: 60, rpd: 1000, admin: false)
    }

    static func authorize(_ header: String, _ stored: APIKeyRecord?) async throws -> AuthorizerResponse {
        try await TokenAuthorizer.authorize(
            TokenAuthorizerEvent(authorizationToken: header, methodARN: methodARN), now: now,
            lookup: { hash in hash == stored?.hash ? stored : nil })
    }

    @Test func theRecordedEvents() throws {
        let go = try TokenAuthorizerEvent(
            bytes: FixtureFiles.bytes("apigw-rest-token-authorizer-event.aws-lambda-go.json"))
        #expect(
            go
                == TokenAuthorizerEvent(
                    type: "TOKEN", authorizationToken: "allow",
                    methodARN: "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"))
        #expect(
            AuthorizerResponse.wildcardResource(methodARN: go.methodARN)
                == "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/*/*")
        let sam = try TokenAuthorizerEvent(
            bytes: FixtureFiles.bytes("apigw-rest-token-authorizer-event.sam-cli-template.json"))
        #expect(sam.type == "TOKEN" && sam.authorizationToken == "incoming-client-token")
        // The template has the ARN's shape: its stage is kept, method and resource become wildcards.
        #expect(
            AuthorizerResponse.wildcardResource(methodARN: sam.methodARN)
                == "arn:{{{partition}}}:execute-api:{{{region}}}:{{{account_id}}}:{{{restApiId}}}/{{{stage}}}/*/*")
    }

    @Test func aValidKeyIsAllowedOnTheWholeStage() async throws {
        let response = try await Self.authorize("Bearer \(Self.key)", Self.record())
        let record = Self.record()
        #expect(response.effect == .allow)
        #expect(response.principalID == record.keyID)
        #expect(response.resource == "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/*/*")
        #expect(response.context["tenant"] == "acme")
        #expect(response.context["keyId"] == record.keyID)
        #expect(response.context["label"] == "ci")
        let carried = try #require(response.context["identity"].flatMap(AuthorizedKey.init(encoded:)))
        #expect(carried.identity == Identity(record))
        #expect(carried.rpm == 60 && carried.rpd == 1000)
        #expect(!response.context.values.contains { $0.contains(Self.key) })
    }

    @Test func theResponseHasTheDocumentedShape() async throws {
        let response = try await Self.authorize("bearer  \(Self.key)", Self.record())
        let json = try JSONParser.parse(response.encoded())
        let documented = try JSONParser.parse(FixtureFiles.bytes("apigw-rest-authorizer-response.aws-docs.json"))
        #expect(json.objectValue?.keys == ["principalId", "policyDocument", "context"])
        #expect(json["policyDocument"]?["Version"] == documented["policyDocument"]?["Version"])
        let statement = try #require(json["policyDocument"]?["Statement"]?.arrayValue?.first)
        let documentedStatement = try #require(documented["policyDocument"]?["Statement"]?.arrayValue?.first)
        #expect(statement.objectValue?.keys == documentedStatement.objectValue?.keys)
        #expect(statement["Action"] == documentedStatement["Action"])
        #expect(statement["Effect"] == "Allow")
        // Context values are strings only.
        #expect(json["context"]?.objectValue?.values.allSatisfy { $0.stringValue != nil } == true)
    }

    @Test(arguments: ["", "Bearer", "Bearer ", "Basic abc", "Bearer a b", "Token x", "\(key)", "Bearer \u{7}x"])
    func malformedHeadersAreUnauthorized(header: String) async {
        await #expect(throws: LambdaFunctionError.unauthorized) { try await Self.authorize(header, Self.record()) }
    }

    @Test func overlongTokensAreUnauthorized() async {
        let long = "Bearer " + String(repeating: "k", count: TokenAuthorizer.maxTokenLength + 1)
        await #expect(throws: LambdaFunctionError.unauthorized) { try await Self.authorize(long, nil) }
    }

    @Test func unknownDisabledOrExpiredKeysAreDenied() async throws {
        let cases: [APIKeyRecord?] = [
            nil, Self.record(status: .disabled), Self.record(expiresAt: Self.now),
            Self.record(expiresAt: Self.now.addingTimeInterval(-1)),
        ]
        for stored in cases {
            let response = try await Self.authorize("Bearer \(Self.key)", stored)
            #expect(response.effect == .deny)
            #expect(response.context.isEmpty)
            #expect(response.resource == "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/prod/*/*")
            #expect(response.principalID == APIKey.keyID(forHash: APIKey.hash(Self.key)))
            let json = try JSONParser.parse(response.encoded())
            #expect(json["policyDocument"]?["Statement"]?.arrayValue?.first?["Effect"] == "Deny")
            #expect(json["context"] == nil)
        }
        let later = try await Self.authorize(
            "Bearer \(Self.key)", Self.record(expiresAt: Self.now.addingTimeInterval(60)))
        #expect(later.effect == .allow)
    }

    @Test func lookupFailuresPropagate() async {
        struct StoreDown: Error {}
        await #expect(throws: StoreDown.self) {
            try await TokenAuthorizer.authorize(
                TokenAuthorizerEvent(authorizationToken: "Bearer \(Self.key)", methodARN: Self.methodARN),
                now: Self.now,
                lookup: { _ in throw StoreDown() })
        }
    }

    @Test(arguments: [
        ("arn:aws:execute-api:us-east-1:1:abc/prod/GET/v1/models", "arn:aws:execute-api:us-east-1:1:abc/prod/*/*"),
        ("arn:aws-cn:execute-api:cn-north-1:1:abc/dev/POST/", "arn:aws-cn:execute-api:cn-north-1:1:abc/dev/*/*"),
        ("arn:aws:execute-api:us-east-1:1:abc", "arn:aws:execute-api:us-east-1:1:abc"),
        ("not-an-arn/prod/GET/", "not-an-arn/prod/GET/"),
    ])
    func wildcardResources(methodARN: String, expected: String) {
        #expect(AuthorizerResponse.wildcardResource(methodARN: methodARN) == expected)
    }

    @Test func authorizedKeyRoundTrips() {
        let admin = AuthorizedKey(
            identity: Identity(tenant: "ops", keyID: "key_1", keyLabel: "", models: nil, admin: true))
        #expect(AuthorizedKey(encoded: admin.encoded) == admin)
        let limited = AuthorizedKey(Self.record())
        #expect(AuthorizedKey(encoded: limited.encoded) == limited)
        #expect(AuthorizedKey(encoded: "!!") == nil)
        #expect(AuthorizedKey(encoded: Base64URL.encode(#"{"tenant":"t"}"#)) == nil)
    }
}
