import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Stored `/v1/responses` answers in the state table (partition key `pk`): one item per response,
/// `pk` = `response#<tenant>#<id>`, with `tenant`, `id`, `createdAt` (N, Unix seconds), `response` and
/// `conversation` (the JSON text as saved) and `expiresAt` (TTL: 30 days after the save). Reads check the
/// item's own `tenant` and `id` too, so no choice of names reaches another tenant's response.
public struct DynamoDBResponseStore: ResponseStore {
    public let client: DynamoDBClient
    public let table: String
    public static let lifetimeSeconds = 30 * 86_400

    public init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    static let kind = "response"

    public func save(_ response: StoredResponse) async throws {
        var item = StateTableItem.item(Self.kind, id: response.id, tenant: response.tenant)
        item["createdAt"] = .n(response.createdAt.timeIntervalSince1970.description)
        item["response"] = .s(response.response)
        item["conversation"] = .s(response.conversation)
        item["expiresAt"] = .number(Date().unixSeconds + Self.lifetimeSeconds)
        try await client.putItem(table: table, item: item)
    }

    public func find(id: String, tenant: String) async throws -> StoredResponse? {
        guard
            let item = try await StateTableItem.find(Self.kind, id: id, tenant: tenant, client: client, table: table),
            case .n(let created)? = item["createdAt"], let seconds = Double(created),
            let response = item["response"]?.stringValue, let conversation = item["conversation"]?.stringValue
        else { return nil }
        return StoredResponse(
            id: id, tenant: tenant, createdAt: Date(timeIntervalSince1970: seconds), response: response,
            conversation: conversation)
    }

    public func delete(id: String, tenant: String) async throws -> Bool {
        do {
            return try await client.deleteItem(
                table: table, key: StateTableItem.key(Self.kind, id: id, tenant: tenant),
                condition: DynamoDBExpression(
                    "#t = :t AND #i = :i", names: ["#t": "tenant", "#i": "id"],
                    values: [":t": .s(tenant), ":i": .s(id)])
            ) != nil
        } catch let error as AWSServiceError where error.code == "ConditionalCheckFailedException" {
            return false
        }
    }
}
