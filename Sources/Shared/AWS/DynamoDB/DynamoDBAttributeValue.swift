import GatewaySchema

/// A DynamoDB attribute value (the `AttributeValue` union): what items, keys and expression values are made of.
/// Numbers keep their decimal text, as DynamoDB sends them.
public indirect enum DynamoDBAttributeValue: Sendable, Hashable {
    case s(String)
    case n(String)
    case bool(Bool)
    case null
    case l([DynamoDBAttributeValue])
    case m([String: DynamoDBAttributeValue])
    case ss([String])
    case ns([String])
    /// Binary, base64 as on the wire.
    case b(String)

    public static func number(_ value: Int) -> DynamoDBAttributeValue { .n(String(value)) }

    public var stringValue: String? {
        if case .s(let text) = self { return text }
        return nil
    }

    public var intValue: Int? {
        if case .n(let text) = self { return Int(text) }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The wire form: `{"S": "…"}`, `{"N": "12"}`, `{"M": {…}}`, ….
    public var wire: JSONValue {
        switch self {
        case .s(let text): ["S": .string(text)]
        case .n(let text): ["N": .string(text)]
        case .bool(let value): ["BOOL": .bool(value)]
        case .null: ["NULL": true]
        case .l(let items): ["L": .array(items.map(\.wire))]
        case .m(let map): ["M": Self.wire(map)]
        case .ss(let items): ["SS": .array(items.map { .string($0) })]
        case .ns(let items): ["NS": .array(items.map { .string($0) })]
        case .b(let base64): ["B": .string(base64)]
        }
    }

    /// A map of attributes in wire form, keys sorted (so requests are deterministic).
    public static func wire(_ item: [String: DynamoDBAttributeValue]) -> JSONValue {
        .object(JSONObject(item.sorted { $0.key < $1.key }.map { ($0.key, $0.value.wire) }))
    }

    /// Reads the wire form; nil for anything that is not a single known member.
    public init?(wire value: JSONValue) {
        guard let object = value.objectValue, object.count == 1, let first = object.first(where: { _ in true }) else {
            return nil
        }
        let (type, member) = (first.key, first.value)
        switch type {
        case "S": guard let text = member.stringValue else { return nil }; self = .s(text)
        case "N": guard let text = member.stringValue else { return nil }; self = .n(text)
        case "BOOL": guard let flag = member.boolValue else { return nil }; self = .bool(flag)
        case "NULL": self = .null
        case "B": guard let text = member.stringValue else { return nil }; self = .b(text)
        case "L":
            guard let items = member.arrayValue else { return nil }
            var values: [DynamoDBAttributeValue] = []
            for item in items {
                guard let decoded = DynamoDBAttributeValue(wire: item) else { return nil }
                values.append(decoded)
            }
            self = .l(values)
        case "M":
            guard let map = Self.item(wire: member) else { return nil }
            self = .m(map)
        case "SS", "NS":
            guard let items = member.arrayValue else { return nil }
            let texts = items.compactMap(\.stringValue)
            guard texts.count == items.count else { return nil }
            self = type == "SS" ? .ss(texts) : .ns(texts)
        default: return nil
        }
    }

    /// An item (map of attributes) from its wire form; nil when any attribute is malformed.
    public static func item(wire value: JSONValue) -> [String: DynamoDBAttributeValue]? {
        guard let object = value.objectValue else { return nil }
        var item: [String: DynamoDBAttributeValue] = [:]
        for (name, member) in object {
            guard let decoded = DynamoDBAttributeValue(wire: member) else { return nil }
            item[name] = decoded
        }
        return item
    }
}
