import GatewaySchema

/// A filter on chunk metadata, in the JSON syntax of S3 Vectors (a MongoDB-like subset), so one request works
/// with every store: `{"genre": "drama"}`, `{"year": {"$gte": 2020, "$lt": 2025}}`,
/// `{"lang": {"$in": ["en", "de"]}}`, `{"$or": [{…}, {…}]}`, `{"$and": […]}`, `{"draft": {"$exists": false}}`,
/// `$ne`, `$nin`. Several fields in one object must all match. A metadata value that is an array matches
/// `$eq`/`$in` when one of its elements does.
public indirect enum MetadataFilter: Sendable, Equatable {
    case all([MetadataFilter])
    case any([MetadataFilter])
    case compare(field: String, Comparison, JSONValue)
    case member(field: String, [JSONValue], negated: Bool)
    case exists(field: String, Bool)

    public enum Comparison: String, Sendable, CaseIterable {
        case eq = "$eq"
        case ne = "$ne"
        case gt = "$gt"
        case gte = "$gte"
        case lt = "$lt"
        case lte = "$lte"
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The JSON path of the offending part, e.g. `filter.$or[1].year`.
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    static let maxDepth = 8

    public static func parse(_ value: JSONValue, path: String = "filter") throws(ParseError) -> MetadataFilter {
        try parse(value, path: path, depth: 0)
    }

    static func parse(_ value: JSONValue, path: String, depth: Int) throws(ParseError) -> MetadataFilter {
        guard depth < maxDepth else { throw ParseError(path: path, message: "nested too deeply") }
        guard case .object(let object) = value, !object.isEmpty else {
            throw ParseError(path: path, message: "must be a non-empty object")
        }
        var parts: [MetadataFilter] = []
        for (key, item) in object {
            let itemPath = "\(path).\(key)"
            switch key {
            case "$and", "$or":
                guard let list = item.arrayValue, !list.isEmpty else {
                    throw ParseError(path: itemPath, message: "must be a non-empty array of filters")
                }
                var children: [MetadataFilter] = []
                for (index, child) in list.enumerated() {
                    children.append(try parse(child, path: "\(itemPath)[\(index)]", depth: depth + 1))
                }
                parts.append(key == "$and" ? .all(children) : .any(children))
            default:
                guard !key.isEmpty, !key.hasPrefix("$") else {
                    throw ParseError(path: itemPath, message: "unknown operator (expected $and, $or or a field name)")
                }
                parts.append(try field(key, item, path: itemPath))
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    static func field(_ name: String, _ value: JSONValue, path: String) throws(ParseError) -> MetadataFilter {
        guard case .object(let operators) = value else {
            return .compare(field: name, .eq, try scalar(value, path: path))
        }
        guard !operators.isEmpty else { throw ParseError(path: path, message: "must name an operator") }
        var parts: [MetadataFilter] = []
        for (op, operand) in operators {
            let opPath = "\(path).\(op)"
            if let comparison = Comparison(rawValue: op) {
                let scalarValue = try scalar(operand, path: opPath)
                if ![.eq, .ne].contains(comparison), scalarValue.doubleValue == nil || scalarValue.stringValue != nil {
                    throw ParseError(path: opPath, message: "\(op) takes a number")
                }
                parts.append(.compare(field: name, comparison, scalarValue))
            } else if op == "$in" || op == "$nin" {
                guard let list = operand.arrayValue, !list.isEmpty else {
                    throw ParseError(path: opPath, message: "must be a non-empty array")
                }
                var values: [JSONValue] = []
                for (index, item) in list.enumerated() { values.append(try scalar(item, path: "\(opPath)[\(index)]")) }
                parts.append(.member(field: name, values, negated: op == "$nin"))
            } else if op == "$exists" {
                guard case .bool(let flag) = operand else {
                    throw ParseError(path: opPath, message: "must be true or false")
                }
                parts.append(.exists(field: name, flag))
            } else {
                throw ParseError(
                    path: opPath,
                    message: "unknown operator (expected $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists)")
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    static func scalar(_ value: JSONValue, path: String) throws(ParseError) -> JSONValue {
        switch value {
        case .string, .number, .bool: return value
        default: throw ParseError(path: path, message: "must be a string, number or boolean")
        }
    }

    // MARK: Evaluation (the embedded index, and the reference the other stores are tested against)

    public func matches(_ metadata: JSONObject) -> Bool {
        switch self {
        case .all(let filters): return filters.allSatisfy { $0.matches(metadata) }
        case .any(let filters): return filters.contains { $0.matches(metadata) }
        case .exists(let field, let flag): return (metadata[field].map { !$0.isNull } ?? false) == flag
        case .member(let field, let values, let negated):
            let found = values.contains { Self.equal(metadata[field], $0) }
            return negated ? !found : found
        case .compare(let field, let comparison, let operand):
            switch comparison {
            case .eq: return Self.equal(metadata[field], operand)
            case .ne: return !Self.equal(metadata[field], operand)
            default:
                guard let value = metadata[field], case .number = value, let number = value.doubleValue,
                    let bound = operand.doubleValue
                else { return false }
                switch comparison {
                case .gt: return number > bound
                case .gte: return number >= bound
                case .lt: return number < bound
                default: return number <= bound
                }
            }
        }
    }

    /// Equal as JSON scalars (numbers by value), or an array containing such an element.
    static func equal(_ value: JSONValue?, _ operand: JSONValue) -> Bool {
        guard let value else { return false }
        if case .array(let items) = value { return items.contains { equal($0, operand) } }
        switch (value, operand) {
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        default: return false
        }
    }

    /// The canonical JSON form (S3 Vectors' syntax, each operator spelled out).
    public var json: JSONValue {
        switch self {
        case .all(let filters): return .object(["$and": .array(filters.map(\.json))])
        case .any(let filters): return .object(["$or": .array(filters.map(\.json))])
        case .compare(let field, let comparison, let value):
            return .object([field: .object([comparison.rawValue: value])])
        case .member(let field, let values, let negated):
            return .object([field: .object([negated ? "$nin" : "$in": .array(values)])])
        case .exists(let field, let flag): return .object([field: .object(["$exists": .bool(flag)])])
        }
    }
}
