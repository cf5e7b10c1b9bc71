import GatewaySchema

/// JSON text for `jsonb` columns, which reject the character U+0000 (`\u0000`) that JSON allows.
enum PostgresJSON {
    /// `value` serialised, with every U+0000 in its strings and keys replaced by U+FFFD, so a stray NUL in a
    /// request's path or an upstream's message cannot make its record unstorable.
    static func jsonbText(_ value: JSONValue) -> String {
        let text = value.jsonString
        // The serialiser writes U+0000 as `\u0000`; anything else containing that text only takes the slow path.
        guard text.contains("\\u0000") else { return text }
        return withoutNUL(value).jsonString
    }

    /// `jsonbText` of JSON text already serialised (it is only parsed when it holds an escaped U+0000).
    static func jsonbText(serialized bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("\\u0000"), let value = try? JSONParser.parse(bytes) else { return text }
        return withoutNUL(value).jsonString
    }

    static func withoutNUL(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string): .string(clean(string))
        case .array(let items): .array(items.map(withoutNUL))
        case .object(let object):
            .object(JSONObject(zip(object.keys, object.values).map { (clean($0), withoutNUL($1)) }))
        case .null, .bool, .number: value
        }
    }

    static func clean(_ string: String) -> String {
        string.contains("\u{0}")
            ? String(string.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : Character($0) }) : string
    }
}
