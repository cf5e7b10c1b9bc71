import GatewaySchema

/// Small helpers to read event documents.
enum JSONReading {
    static func parse(_ bytes: [UInt8]) throws(LambdaEventError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .invalidJSON
        }
    }

    static func string(_ json: JSONValue, _ key: String) throws(LambdaEventError) -> String {
        guard let value = json[key]?.stringValue else { throw .missingField(key) }
        return value
    }

    /// A JSON scalar as text: strings as they are, numbers from their source text, booleans as `true`/`false`;
    /// nil for null, arrays and objects.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): number.raw
        case .bool(let flag): flag ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// The string members of an object (others skipped), in document order; empty for null or absent.
    static func stringPairs(_ value: JSONValue?) -> [(String, String)] {
        guard let object = value?.objectValue else { return [] }
        return object.compactMap { entry in entry.value.stringValue.map { (entry.key, $0) } }
    }

    /// The string-list members of an object, in document order; empty for null or absent.
    static func stringListPairs(_ value: JSONValue?) -> [(String, [String])] {
        guard let object = value?.objectValue else { return [] }
        return object.compactMap { entry in entry.value.arrayValue.map { (entry.key, $0.compactMap(\.stringValue)) } }
    }
}
