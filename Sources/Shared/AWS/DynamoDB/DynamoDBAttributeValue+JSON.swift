import GatewaySchema

/// JSON documents as DynamoDB values and back: objects are maps, arrays lists, numbers keep their text.
/// A JSON number DynamoDB cannot hold (more than 38 significant digits, or beyond its exponent range) is
/// rejected by the service, not here. Sets and binaries have no JSON form: they read back as arrays and
/// base64 strings.
extension DynamoDBAttributeValue {
    public init(json value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .n(number.raw)
        case .string(let text): self = .s(text)
        case .array(let items): self = .l(items.map(DynamoDBAttributeValue.init(json:)))
        case .object(let object): self = .m(Self.item(json: object))
        }
    }

    /// A JSON object's members as attributes.
    public static func item(json object: JSONObject) -> [String: DynamoDBAttributeValue] {
        var map: [String: DynamoDBAttributeValue] = [:]
        for (name, member) in object { map[name] = DynamoDBAttributeValue(json: member) }
        return map
    }

    public var json: JSONValue {
        switch self {
        case .s(let text), .b(let text): .string(text)
        case .n(let text): .number(JSONNumber(raw: Self.jsonNumberText(text)))
        case .bool(let flag): .bool(flag)
        case .null: .null
        case .l(let items): .array(items.map(\.json))
        case .m(let map): .object(Self.json(map))
        case .ss(let items): .array(items.map { .string($0) })
        case .ns(let items): .array(items.map { .number(JSONNumber(raw: Self.jsonNumberText($0))) })
        }
    }

    /// Attributes as a JSON object, members sorted by name (DynamoDB maps have no order).
    public static func json(_ item: [String: DynamoDBAttributeValue]) -> JSONObject {
        JSONObject(item.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })
    }

    /// DynamoDB's number text as JSON number text: DynamoDB accepts `+1`, `.5` and `5.` which JSON does not.
    static func jsonNumberText(_ text: String) -> String {
        if (try? JSONParser.parse(text))?.isNumber == true { return text }
        guard let value = Double(text), value.isFinite else { return "0" }
        return JSONNumber(value).raw
    }
}

extension JSONValue {
    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }
}
