import GatewaySchema

/// An item or key: attribute name → value.
public typealias DynamoDBItem = [String: DynamoDBAttributeValue]

/// An expression (condition, update, key condition, filter) with its placeholders: `#name` → attribute name,
/// `:value` → value. Several expressions of one request share the placeholders.
public struct DynamoDBExpression: Sendable, Equatable {
    public var text: String
    public var names: [String: String]
    public var values: DynamoDBItem

    public init(_ text: String, names: [String: String] = [:], values: DynamoDBItem = [:]) {
        self.text = text
        self.names = names
        self.values = values
    }
}

/// One page of a `Query` or `Scan`.
public struct DynamoDBPage: Sendable, Equatable {
    public var items: [DynamoDBItem]
    /// Where the next page starts; nil on the last page.
    public var lastEvaluatedKey: DynamoDBItem?

    public init(items: [DynamoDBItem], lastEvaluatedKey: DynamoDBItem?) {
        self.items = items
        self.lastEvaluatedKey = lastEvaluatedKey
    }
}

/// One action of `TransactWriteItems`.
public enum DynamoDBTransactItem: Sendable, Equatable {
    case put(table: String, item: DynamoDBItem, condition: DynamoDBExpression?)
    /// `returnOldOnFailure`: ask for the item's old values in the cancellation reason (ALL_OLD).
    case update(
        table: String, key: DynamoDBItem, update: String, condition: String?, placeholders: DynamoDBExpression,
        returnOldOnFailure: Bool)
    case delete(table: String, key: DynamoDBItem, condition: DynamoDBExpression?)
    case conditionCheck(table: String, key: DynamoDBItem, condition: DynamoDBExpression)
}

/// Why one action of a cancelled transaction failed (`ConditionalCheckFailed`, `TransactionConflict`, `None`
/// for the actions that were fine), with the item's old values when they were asked for.
public struct DynamoDBCancellationReason: Sendable, Equatable {
    public var code: String
    public var item: DynamoDBItem?

    public init(code: String, item: DynamoDBItem? = nil) {
        self.code = code
        self.item = item
    }

    /// The reasons of a `TransactionCanceledException`, one per action in order; empty for other errors or when
    /// the service sent none.
    public static func reasons(of error: AWSServiceError) -> [DynamoDBCancellationReason] {
        guard error.code == "TransactionCanceledException" else { return [] }
        if let list = error.details["CancellationReasons"]?.arrayValue {
            return list.map { reason in
                DynamoDBCancellationReason(
                    code: reason["Code"]?.stringValue ?? "None",
                    item: reason["Item"].flatMap(DynamoDBAttributeValue.item(wire:)))
            }
        }
        // Older services list the codes only in the message: "… [ConditionalCheckFailed, None]".
        guard let open = error.message.lastIndex(of: "["), let close = error.message.lastIndex(of: "]"), open < close
        else { return [] }
        return error.message[error.message.index(after: open)..<close].split(separator: ",").map {
            DynamoDBCancellationReason(code: String($0).trimmingSpaces)
        }
    }
}

/// A key attribute of a table or index: name and type (`S`, `N`, `B`).
public struct DynamoDBKeyAttribute: Sendable, Equatable {
    public var name: String
    public var type: String

    public init(_ name: String, _ type: String = "S") {
        self.name = name
        self.type = type
    }
}

/// A global secondary index (projection ALL).
public struct DynamoDBIndexSpec: Sendable, Equatable {
    public var name: String
    public var partitionKey: DynamoDBKeyAttribute
    public var sortKey: DynamoDBKeyAttribute?

    public init(name: String, partitionKey: DynamoDBKeyAttribute, sortKey: DynamoDBKeyAttribute? = nil) {
        self.name = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
    }
}

/// What `CreateTable` makes: an on-demand table with its keys, global secondary indexes and TTL attribute.
public struct DynamoDBTableSpec: Sendable, Equatable {
    public var name: String
    public var partitionKey: DynamoDBKeyAttribute
    public var sortKey: DynamoDBKeyAttribute?
    public var indexes: [DynamoDBIndexSpec]
    /// The attribute holding each item's expiry (Unix seconds), or nil.
    public var ttlAttribute: String?

    public init(
        name: String, partitionKey: DynamoDBKeyAttribute, sortKey: DynamoDBKeyAttribute? = nil,
        indexes: [DynamoDBIndexSpec] = [], ttlAttribute: String? = nil
    ) {
        self.name = name
        self.partitionKey = partitionKey
        self.sortKey = sortKey
        self.indexes = indexes
        self.ttlAttribute = ttlAttribute
    }
}
