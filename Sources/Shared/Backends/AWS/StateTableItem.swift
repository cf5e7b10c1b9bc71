import GatewayAWS

/// The state table's items (stored responses, RAG jobs): partition key `pk` = `<kind>#<tenant>#<id>`, and the
/// `tenant` and `id` attributes that reads check, so that no choice of names (a `#` inside a tenant or id)
/// reaches another tenant's item.
enum StateTableItem {
    static func key(_ kind: String, id: String, tenant: String) -> DynamoDBItem {
        ["pk": .s("\(kind)#\(tenant)#\(id)")]
    }

    /// The key with the `tenant` and `id` attributes, for a new item.
    static func item(_ kind: String, id: String, tenant: String) -> DynamoDBItem {
        var item = key(kind, id: id, tenant: tenant)
        item["tenant"] = .s(tenant)
        item["id"] = .s(id)
        return item
    }

    /// The item of this kind, id and tenant, read strongly consistent; nil when there is none.
    static func find(
        _ kind: String, id: String, tenant: String, client: DynamoDBClient, table: String
    ) async throws -> DynamoDBItem? {
        guard
            let item = try await client.getItem(table: table, key: key(kind, id: id, tenant: tenant), consistent: true),
            item["tenant"]?.stringValue == tenant, item["id"]?.stringValue == id
        else { return nil }
        return item
    }
}
