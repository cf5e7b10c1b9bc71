import GatewaySchema

/// Amazon DynamoDB (awsJson 1.0, `X-Amz-Target: DynamoDB_20120810.<Operation>`, SigV4 service `dynamodb`): the
/// item, query and transaction operations the stores use, and table set-up for tests and local runs.
/// Failures are `AWSServiceError` (`ConditionalCheckFailedException`, `TransactionCanceledException` with its
/// reasons in `details` (see `DynamoDBCancellationReason`), `ResourceNotFoundException`, …) or `AWSClientError`;
/// throttling (`ProvisionedThroughputExceededException`, `ThrottlingException`) and server errors are retried.
public struct DynamoDBClient: Sendable {
    public let json: AWSJSONClient

    /// A client over `json`, e.g. `AWSJSONClient(service: .dynamoDB, region:environment:credentials:httpClient:)`.
    public init(json: AWSJSONClient) {
        self.json = json
    }

    func call(_ operation: String, _ body: JSONObject) async throws -> JSONValue {
        try await json.target("DynamoDB_20120810.\(operation)", body: .object(body), jsonVersion: "1.0")
    }

    // MARK: Items

    public func getItem(table: String, key: DynamoDBItem, consistent: Bool = false) async throws -> DynamoDBItem? {
        let answer = try await call(
            "GetItem",
            ["TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key), "ConsistentRead": .bool(consistent)])
        return try answer["Item"].map(Self.item)
    }

    /// Writes an item, if `condition` holds (else `ConditionalCheckFailedException`).
    public func putItem(table: String, item: DynamoDBItem, condition: DynamoDBExpression? = nil) async throws {
        var body: JSONObject = ["TableName": .string(table), "Item": DynamoDBAttributeValue.wire(item)]
        Self.add(condition, as: "ConditionExpression", to: &body)
        _ = try await call("PutItem", body)
    }

    /// Updates (or creates) an item; returns the attributes `returnValues` names (`UPDATED_NEW`, `ALL_NEW`, …).
    /// A failed `condition` throws `ConditionalCheckFailedException`, with the old item in its `details["Item"]`
    /// when `returnOldOnFailure`.
    @discardableResult
    public func updateItem(
        table: String, key: DynamoDBItem, update: String, condition: String? = nil,
        placeholders: DynamoDBExpression = DynamoDBExpression(""), returnValues: String = "NONE",
        returnOldOnFailure: Bool = false
    ) async throws -> DynamoDBItem {
        var body: JSONObject = [
            "TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key), "UpdateExpression": .string(update),
            "ReturnValues": .string(returnValues),
        ]
        if let condition { body["ConditionExpression"] = .string(condition) }
        if returnOldOnFailure { body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD" }
        Self.addPlaceholders(placeholders, to: &body)
        return try (await call("UpdateItem", body))["Attributes"].map(Self.item) ?? [:]
    }

    /// Deletes an item; returns its old attributes (nil when there was none).
    @discardableResult
    public func deleteItem(
        table: String, key: DynamoDBItem, condition: DynamoDBExpression? = nil
    ) async throws -> DynamoDBItem? {
        var body: JSONObject = [
            "TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key), "ReturnValues": "ALL_OLD",
        ]
        Self.add(condition, as: "ConditionExpression", to: &body)
        return try (await call("DeleteItem", body))["Attributes"].map(Self.item)
    }

    /// One page of a query on the table or one of its indexes.
    public func query(
        table: String, index: String? = nil, keyCondition: DynamoDBExpression, filter: String? = nil,
        newestFirst: Bool = false, limit: Int? = nil, consistent: Bool = false, startKey: DynamoDBItem? = nil
    ) async throws -> DynamoDBPage {
        var body: JSONObject = [
            "TableName": .string(table), "KeyConditionExpression": .string(keyCondition.text),
            "ScanIndexForward": .bool(!newestFirst),
        ]
        if let index { body["IndexName"] = .string(index) }
        if let filter { body["FilterExpression"] = .string(filter) }
        if let limit { body["Limit"] = .number(JSONNumber(limit)) }
        if consistent { body["ConsistentRead"] = true }
        if let startKey { body["ExclusiveStartKey"] = DynamoDBAttributeValue.wire(startKey) }
        Self.addPlaceholders(keyCondition, to: &body)
        return try Self.page(await call("Query", body))
    }

    /// Every item a query matches (following its pages), up to `limit`.
    public func queryAll(
        table: String, index: String? = nil, keyCondition: DynamoDBExpression, newestFirst: Bool = false,
        limit: Int? = nil, consistent: Bool = false
    ) async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var startKey: DynamoDBItem?
        repeat {
            let page = try await query(
                table: table, index: index, keyCondition: keyCondition, newestFirst: newestFirst,
                limit: limit.map { $0 - items.count }, consistent: consistent, startKey: startKey)
            items += page.items
            startKey = page.lastEvaluatedKey
        } while startKey != nil && (limit.map { items.count < $0 } ?? true)
        return items
    }

    /// One page of a scan of the whole table.
    public func scan(table: String, limit: Int? = nil, startKey: DynamoDBItem? = nil) async throws -> DynamoDBPage {
        var body: JSONObject = ["TableName": .string(table)]
        if let limit { body["Limit"] = .number(JSONNumber(limit)) }
        if let startKey { body["ExclusiveStartKey"] = DynamoDBAttributeValue.wire(startKey) }
        return try Self.page(await call("Scan", body))
    }

    /// Every item of the table (following the pages).
    public func scanAll(table: String) async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var startKey: DynamoDBItem?
        repeat {
            let page = try await scan(table: table, startKey: startKey)
            items += page.items
            startKey = page.lastEvaluatedKey
        } while startKey != nil
        return items
    }

    /// Puts and deletes (keys) in one table, 25 per call; what the service left unprocessed is sent again (with
    /// backoff) until nothing is left.
    public func batchWrite(table: String, puts: [DynamoDBItem], deletes: [DynamoDBItem] = []) async throws {
        var pending: [JSONValue] =
            puts.map { ["PutRequest": ["Item": DynamoDBAttributeValue.wire($0)]] }
            + deletes.map { ["DeleteRequest": ["Key": DynamoDBAttributeValue.wire($0)]] }
        var retry = 0
        while !pending.isEmpty {
            let batch = Array(pending.prefix(25))
            pending.removeFirst(batch.count)
            let answer = try await call("BatchWriteItem", ["RequestItems": .object([table: .array(batch)])])
            let unprocessed = answer["UnprocessedItems"]?[table]?.arrayValue ?? []
            if !unprocessed.isEmpty {
                pending = unprocessed + pending
                let delay = json.retryPolicy.delay(beforeRetry: retry, random: Double.random(in: 0..<1))
                retry += 1
                try await Task.sleep(for: .seconds(delay))
            }
        }
    }

    /// All actions or none. A failed condition (or a conflict) throws `TransactionCanceledException`; read its
    /// reasons with `DynamoDBCancellationReason.reasons(of:)`.
    /// `clientRequestToken` makes the call idempotent for ten minutes: the client's own retries after a lost answer
    /// (a timeout, a 5xx) send the same body, so a transaction that did commit is not applied twice.
    public func transactWrite(_ actions: [DynamoDBTransactItem], clientRequestToken: String? = nil) async throws {
        var body: JSONObject = ["TransactItems": .array(actions.map(Self.wire))]
        if let clientRequestToken { body["ClientRequestToken"] = .string(clientRequestToken) }
        _ = try await call("TransactWriteItems", body)
    }

    // MARK: Tables

    /// Creates an on-demand table with its indexes, waits until it is active, and enables its TTL attribute.
    public func createTable(_ spec: DynamoDBTableSpec) async throws {
        var attributes: [DynamoDBKeyAttribute] = []
        func declare(_ attribute: DynamoDBKeyAttribute?) {
            if let attribute, !attributes.contains(where: { $0.name == attribute.name }) {
                attributes.append(attribute)
            }
        }
        func schema(_ partition: DynamoDBKeyAttribute, _ sort: DynamoDBKeyAttribute?) -> JSONValue {
            declare(partition)
            declare(sort)
            var keys: [JSONValue] = [["AttributeName": .string(partition.name), "KeyType": "HASH"]]
            if let sort { keys.append(["AttributeName": .string(sort.name), "KeyType": "RANGE"]) }
            return .array(keys)
        }
        var body: JSONObject = [
            "TableName": .string(spec.name), "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": schema(spec.partitionKey, spec.sortKey),
        ]
        if !spec.indexes.isEmpty {
            body["GlobalSecondaryIndexes"] = .array(
                spec.indexes.map { index in
                    [
                        "IndexName": .string(index.name), "KeySchema": schema(index.partitionKey, index.sortKey),
                        "Projection": ["ProjectionType": "ALL"],
                    ]
                })
        }
        body["AttributeDefinitions"] = .array(
            attributes.map { ["AttributeName": .string($0.name), "AttributeType": .string($0.type)] })
        _ = try await call("CreateTable", body)
        for _ in 0..<120 {
            if try await describeTable(spec.name) == "ACTIVE" { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        if let ttl = spec.ttlAttribute { try await updateTimeToLive(table: spec.name, attribute: ttl) }
    }

    /// The table's status (`CREATING`, `ACTIVE`, …), or nil when it does not exist.
    public func describeTable(_ name: String) async throws -> String? {
        do {
            return try await call("DescribeTable", ["TableName": .string(name)])["Table"]?["TableStatus"]?.stringValue
        } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    public func updateTimeToLive(table: String, attribute: String) async throws {
        _ = try await call(
            "UpdateTimeToLive",
            [
                "TableName": .string(table),
                "TimeToLiveSpecification": ["Enabled": true, "AttributeName": .string(attribute)],
            ])
    }

    public func deleteTable(_ name: String) async throws {
        _ = try await call("DeleteTable", ["TableName": .string(name)])
    }

    // MARK: Wire helpers

    static func item(_ value: JSONValue) throws -> DynamoDBItem {
        guard let item = DynamoDBAttributeValue.item(wire: value) else {
            throw AWSClientError(.invalidResponse, message: "DynamoDB answered with a malformed item")
        }
        return item
    }

    static func page(_ answer: JSONValue) throws -> DynamoDBPage {
        DynamoDBPage(
            items: try (answer["Items"]?.arrayValue ?? []).map(item),
            lastEvaluatedKey: try answer["LastEvaluatedKey"].map(item))
    }

    static func add(_ expression: DynamoDBExpression?, as member: String, to body: inout JSONObject) {
        guard let expression else { return }
        body[member] = .string(expression.text)
        addPlaceholders(expression, to: &body)
    }

    static func addPlaceholders(_ expression: DynamoDBExpression, to body: inout JSONObject) {
        if !expression.names.isEmpty {
            body["ExpressionAttributeNames"] = .object(
                JSONObject(expression.names.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))
        }
        if !expression.values.isEmpty {
            body["ExpressionAttributeValues"] = DynamoDBAttributeValue.wire(expression.values)
        }
    }

    static func wire(_ action: DynamoDBTransactItem) -> JSONValue {
        switch action {
        case .put(let table, let item, let condition):
            var body: JSONObject = ["TableName": .string(table), "Item": DynamoDBAttributeValue.wire(item)]
            add(condition, as: "ConditionExpression", to: &body)
            return ["Put": .object(body)]
        case .update(let table, let key, let update, let condition, let placeholders, let returnOld):
            var body: JSONObject = [
                "TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key),
                "UpdateExpression": .string(update),
            ]
            if let condition { body["ConditionExpression"] = .string(condition) }
            if returnOld { body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD" }
            addPlaceholders(placeholders, to: &body)
            return ["Update": .object(body)]
        case .delete(let table, let key, let condition):
            var body: JSONObject = ["TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key)]
            add(condition, as: "ConditionExpression", to: &body)
            return ["Delete": .object(body)]
        case .conditionCheck(let table, let key, let condition):
            var body: JSONObject = ["TableName": .string(table), "Key": DynamoDBAttributeValue.wire(key)]
            add(condition, as: "ConditionExpression", to: &body)
            return ["ConditionCheck": .object(body)]
        }
    }
}
