import Foundation

/// Any JSON value, for the fake S3 Vectors service's documents (metadata, filters). Decoded with
/// `JSONDecoder` (booleans and numbers stay apart) and written with `JSONText`.
enum S3VectorsJSON: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([S3VectorsJSON])
    case object([String: S3VectorsJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([S3VectorsJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: S3VectorsJSON].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    subscript(key: String) -> S3VectorsJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [S3VectorsJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: S3VectorsJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// An integer given as a JSON number without a fraction.
    var int: Int? {
        guard let number, number.rounded() == number, abs(number) < 9e15 else { return nil }
        return Int(number)
    }

    /// Writes the value; integral numbers without a fraction (`3`, not `3.0`), keys sorted.
    func write(to json: inout JSONText) {
        switch self {
        case .null: json.raw("null")
        case .bool(let value): json.raw(value ? "true" : "false")
        case .number(let value):
            if let int { json.int(int) } else { json.raw(value.isFinite ? value.description : "0") }
        case .string(let value): json.string(value)
        case .array(let items):
            json.raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { json.raw(",") }
                item.write(to: &json)
            }
            json.raw("]")
        case .object(let object):
            json.raw("{")
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { json.raw(",") }
                json.string(key)
                json.raw(":")
                object[key]!.write(to: &json)
            }
            json.raw("}")
        }
    }
}
