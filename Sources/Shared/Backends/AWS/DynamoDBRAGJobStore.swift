import GatewayAWS
import GatewayCore
import GatewaySchema

/// RAG ingestion jobs in the state table: one item per job, `pk` = `ragjob#<tenant>#<id>`, with `tenant`, `id`,
/// `job` (the job's JSON text) and `updatedAt` (N, Unix seconds). Reads check the item's `tenant` and `id`.
public struct DynamoDBRAGJobStore: RAGJobStore {
    public let client: DynamoDBClient
    public let table: String

    public init(client: DynamoDBClient, table: String) {
        self.client = client
        self.table = table
    }

    static let kind = "ragjob"

    public func save(_ job: RAGJob) async throws {
        var item = StateTableItem.item(Self.kind, id: job.id, tenant: job.tenant)
        item["job"] = .s(job.json.jsonString)
        item["updatedAt"] = .number(job.updatedAt.unixSeconds)
        try await client.putItem(table: table, item: item)
    }

    public func find(id: String, tenant: String) async throws -> RAGJob? {
        guard
            let item = try await StateTableItem.find(Self.kind, id: id, tenant: tenant, client: client, table: table),
            let text = item["job"]?.stringValue, let json = try? JSONParser.parse(text)
        else { return nil }
        return RAGJob(json: json)
    }
}
