import GatewayAWS
import GatewayCore
import GatewaySchema

/// The request log in a DynamoDB table (`RequestLogItem` describes an item), with global secondary indexes
/// `byRequestId` (PK `requestId`), `byAlias` (PK `alias`, SK `sk`), `byProviderStatus` (PK `providerStatus`,
/// SK `sk`) and `byDay` (PK `day`, SK `sk`).
///
/// An insert is a conditional `PutItem` per event (`attribute_not_exists(sk)`, several at once): an event's key
/// derives from its own tenant, timestamp and request id, so an event delivered again is not counted again.
/// The days that hold events are listed in one bookkeeping item (partition `#days`, a string set), so that
/// `recent` across tenants reads the newest days' `byDay` partitions, newest first. `usage` of one tenant is one
/// range query of its partition, of every tenant one `byDay` query per day; both aggregate in Swift with
/// `UsageData.aggregate`, the reference the SQL stores follow. Index reads are eventually consistent: an event
/// just written may be missing from `find` and the cross-tenant reads for a moment.
public struct DynamoDBRequestLog: RequestLog {
    public let client: DynamoDBClient
    public let table: String
    public let ttlDays: Int
    /// Requests in flight at once during an insert.
    let parallelism = 16

    public init(client: DynamoDBClient, table: String, ttlDays: Int = 90) {
        self.client = client
        self.table = table
        self.ttlDays = ttlDays
    }

    static let daysKey: DynamoDBItem = ["tenant": .s("#days"), "sk": .s("#days")]

    public func insert(_ events: [AuditEvent]) async throws -> Int {
        guard !events.isEmpty else { return 0 }
        let items = try events.map { try RequestLogItem.item($0, ttlDays: ttlDays) }
        let days = Set(items.compactMap { $0["day"]?.stringValue })
        try await client.updateItem(
            table: table, key: Self.daysKey, update: "ADD #days :days",
            placeholders: DynamoDBExpression("", names: ["#days": "days"], values: [":days": .ss(days.sorted())]))
        let condition = DynamoDBExpression("attribute_not_exists(#sk)", names: ["#sk": "sk"])
        return try await withThrowingTaskGroup(of: Int.self) { group in
            var inserted = 0
            for (index, item) in items.enumerated() {
                if index >= parallelism, let done = try await group.next() { inserted += done }
                group.addTask {
                    do {
                        try await client.putItem(table: table, item: item, condition: condition)
                        return 1
                    } catch let error as AWSServiceError where error.code == "ConditionalCheckFailedException" {
                        return 0
                    }
                }
            }
            for try await done in group { inserted += done }
            return inserted
        }
    }

    public func recent(limit: Int, tenant: String?) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        if let tenant {
            return try await client.queryAll(
                table: table,
                keyCondition: DynamoDBExpression("#t = :t", names: ["#t": "tenant"], values: [":t": .s(tenant)]),
                newestFirst: true, limit: limit
            ).compactMap(RequestLogItem.event)
        }
        var events: [AuditEvent] = []
        for day in try await days().sorted(by: >) where events.count < limit {
            events += try await client.queryAll(
                table: table, index: RequestLogItem.byDay, keyCondition: Self.dayCondition(day), newestFirst: true,
                limit: limit - events.count
            ).compactMap(RequestLogItem.event)
        }
        return events
    }

    public func find(requestID: String) async throws -> AuditEvent? {
        try await client.queryAll(
            table: table, index: RequestLogItem.byRequestID,
            keyCondition: DynamoDBExpression("#r = :r", names: ["#r": "requestId"], values: [":r": .s(requestID)]),
            limit: 1
        ).first.flatMap(RequestLogItem.event)
    }

    public func usage(_ query: UsageQuery) async throws -> UsageData {
        let startMs = RequestLogItem.milliseconds(query.start)
        let endMs = RequestLogItem.milliseconds(query.end)
        var items: [DynamoDBItem] = []
        if let tenant = query.tenant {
            // `<end ms>` sorts before every `<end ms>#<id>`: BETWEEN keeps `[start, end)`.
            items = try await client.queryAll(
                table: table,
                keyCondition: DynamoDBExpression(
                    "#t = :t AND #sk BETWEEN :from AND :to", names: ["#t": "tenant", "#sk": "sk"],
                    values: [
                        ":t": .s(tenant), ":from": .s(RequestLogItem.sortKey(milliseconds: startMs)),
                        ":to": .s(RequestLogItem.sortKey(milliseconds: endMs)),
                    ]))
        } else {
            let days = query.days.map(\.description)
            items = try await withThrowingTaskGroup(of: [DynamoDBItem].self) { group in
                var all: [DynamoDBItem] = []
                for (index, day) in days.enumerated() {
                    if index >= 8, let done = try await group.next() { all += done }
                    group.addTask {
                        try await client.queryAll(
                            table: table, index: RequestLogItem.byDay, keyCondition: Self.dayCondition(day))
                    }
                }
                for try await done in group { all += done }
                return all
            }
        }
        return UsageData.aggregate(items.compactMap(RequestLogItem.event), query: query)
    }

    /// The days that hold events (`YYYY-MM-DD`).
    func days() async throws -> [String] {
        guard case .ss(let days)? = try await client.getItem(table: table, key: Self.daysKey, consistent: true)?["days"]
        else { return [] }
        return days
    }

    static func dayCondition(_ day: String) -> DynamoDBExpression {
        DynamoDBExpression("#d = :d", names: ["#d": "day"], values: [":d": .s(day)])
    }
}
