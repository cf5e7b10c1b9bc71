import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Live routes in a DynamoDB table keyed by `alias` (S): one item per route whose attributes are the members of
/// the route's JSON definition as DynamoDB values (`targets` a list of maps with `provider`, `model`, `weight`
/// (N), `endpoint_mode`, `key_id`; `fallbacks` a list of strings; `enabled` a boolean), plus `updatedAt`
/// (ISO-8601). A definition that is not an object, or that has a member named `alias`, `updatedAt` or
/// `definition`, is kept whole as JSON text in `definition`. `loadAll` scans the table (routes are few; the
/// reload TTL lives above the port, in `LiveRoutes`).
public struct DynamoDBRouteStore: RouteStore {
    public let client: DynamoDBClient
    public let table: String

    public init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    static let reserved: Set<String> = ["alias", "updatedAt", "definition"]

    public func loadAll() async throws -> [StoredRoute] {
        try await client.scanAll(table: table).compactMap(Self.route).sorted { $0.alias < $1.alias }
    }

    public func put(_ route: StoredRoute) async throws {
        try await client.putItem(table: table, item: Self.item(route, at: Date()))
    }

    public func delete(alias: String) async throws -> Bool {
        try await client.deleteItem(table: table, key: ["alias": .s(alias)]) != nil
    }

    static func item(_ route: StoredRoute, at date: Date) -> DynamoDBItem {
        var item: DynamoDBItem
        if case .object(let object) = route.definition, !object.keys.contains(where: reserved.contains) {
            item = DynamoDBAttributeValue.item(json: object)
        } else {
            item = ["definition": .s(route.definition.jsonString)]
        }
        item["alias"] = .s(route.alias)
        item["updatedAt"] = .s(AWSTimestamp.iso8601(date))
        return item
    }

    static func route(_ item: DynamoDBItem) -> StoredRoute? {
        guard let alias = item["alias"]?.stringValue else { return nil }
        if let text = item["definition"]?.stringValue {
            guard let definition = try? JSONParser.parse(text) else { return nil }
            return StoredRoute(alias: alias, definition: definition)
        }
        var members = item
        for name in reserved { members[name] = nil }
        return StoredRoute(alias: alias, definition: .object(DynamoDBAttributeValue.json(members)))
    }
}
