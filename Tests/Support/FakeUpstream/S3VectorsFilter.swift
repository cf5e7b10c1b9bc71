/// S3 Vectors' metadata filter: `{"field": value}` (equality), `{"field": {"$op": operand}}` with `$eq`, `$ne`,
/// `$gt`, `$gte`, `$lt`, `$lte` (numbers), `$in`, `$nin` (non-empty arrays), `$exists` (boolean), and `$and` /
/// `$or` over arrays of filters; several keys in one object must all hold. A metadata array matches `$eq` /
/// `$in` when one of its elements does. Non-filterable keys are invisible to filters.
indirect enum S3VectorsFilter {
    case all([S3VectorsFilter])
    case any([S3VectorsFilter])
    case condition(field: String, op: String, operand: S3VectorsJSON)

    static let comparisons: Set<String> = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]

    init(_ json: S3VectorsJSON, depth: Int = 0) throws(S3VectorsError) {
        guard depth < 10, let object = json.object, !object.isEmpty else {
            throw .validation("Invalid filter: expected a non-empty object")
        }
        var parts: [S3VectorsFilter] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            if key == "$and" || key == "$or" {
                guard let list = value.array, !list.isEmpty else {
                    throw .validation("Invalid filter: \(key) takes a non-empty array")
                }
                var children: [S3VectorsFilter] = []
                for item in list { children.append(try S3VectorsFilter(item, depth: depth + 1)) }
                parts.append(key == "$and" ? .all(children) : .any(children))
            } else if key.hasPrefix("$") {
                throw .validation("Invalid filter: unknown operator \(key)")
            } else {
                parts.append(try Self.field(key, value))
            }
        }
        self = parts.count == 1 ? parts[0] : .all(parts)
    }

    static func field(_ name: String, _ value: S3VectorsJSON) throws(S3VectorsError) -> S3VectorsFilter {
        guard let operators = value.object else {
            guard isScalar(value) else { throw .validation("Invalid filter: \(name) must be a scalar or operators") }
            return .condition(field: name, op: "$eq", operand: value)
        }
        guard !operators.isEmpty else { throw .validation("Invalid filter: \(name) names no operator") }
        var parts: [S3VectorsFilter] = []
        for op in operators.keys.sorted() {
            let operand = operators[op]!
            switch op {
            case "$eq", "$ne":
                guard isScalar(operand) else { throw .validation("Invalid filter: \(op) takes a scalar") }
            case "$gt", "$gte", "$lt", "$lte":
                guard operand.number != nil else { throw .validation("Invalid filter: \(op) takes a number") }
            case "$in", "$nin":
                guard let list = operand.array, !list.isEmpty, list.allSatisfy(isScalar) else {
                    throw .validation("Invalid filter: \(op) takes a non-empty array of scalars")
                }
            case "$exists":
                guard operand.bool != nil else { throw .validation("Invalid filter: $exists takes a boolean") }
            default:
                throw .validation("Invalid filter: unknown operator \(op)")
            }
            parts.append(.condition(field: name, op: op, operand: operand))
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    static func isScalar(_ value: S3VectorsJSON) -> Bool {
        switch value {
        case .string, .number, .bool: true
        default: false
        }
    }

    func matches(_ metadata: [String: S3VectorsJSON]) -> Bool {
        switch self {
        case .all(let filters): return filters.allSatisfy { $0.matches(metadata) }
        case .any(let filters): return filters.contains { $0.matches(metadata) }
        case .condition(let field, let op, let operand):
            let value = metadata[field]
            switch op {
            case "$eq": return Self.equals(value, operand)
            case "$ne": return !Self.equals(value, operand)
            case "$in": return operand.array!.contains { Self.equals(value, $0) }
            case "$nin": return !operand.array!.contains { Self.equals(value, $0) }
            case "$exists": return (value != nil && value != .null) == operand.bool!
            default:
                guard let number = value?.number, let bound = operand.number else { return false }
                switch op {
                case "$gt": return number > bound
                case "$gte": return number >= bound
                case "$lt": return number < bound
                default: return number <= bound
                }
            }
        }
    }

    static func equals(_ value: S3VectorsJSON?, _ operand: S3VectorsJSON) -> Bool {
        switch value {
        case .array(let items)?: items.contains(operand)
        case let value?: value == operand
        case nil: false
        }
    }
}
