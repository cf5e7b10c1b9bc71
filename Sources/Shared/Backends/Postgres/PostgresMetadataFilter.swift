import GatewayCore
import GatewaySchema

/// Compiles a `MetadataFilter` to a SQL condition over a `jsonb` column, with the same answers as
/// `MetadataFilter.matches` (the SQL functions it calls are `PostgresRAGSchema`'s).
///
/// Field names and values are bound parameters (`metadata -> $1`), never text in the statement:
/// - `$eq`/`$in` → `rag_json_matches(metadata -> field, candidates)`: the field's value, or an element of it
///   when it is an array, equals a candidate of the same JSON type (numbers by value); a missing field does not
///   match, so `$ne`/`$nin` (the negations) match it.
/// - `$gt`/`$gte`/`$lt`/`$lte` compare the field only when it is a JSON number (not a numeric string, not an
///   array), as doubles.
/// - `$exists: true` holds for a present, non-null field.
///
/// Known difference: `jsonb` keeps numbers as decimals, so two spellings of one number too large for a double
/// (`1e400`, `10e399`) are equal here; `JSONNumber` calls them equal only when their text is identical.
enum PostgresMetadataFilter {
    static func condition(_ filter: MetadataFilter, column: String, into sql: inout PostgresSQL) -> String {
        switch filter {
        case .all(let filters):
            guard !filters.isEmpty else { return "TRUE" }
            return "(" + filters.map { condition($0, column: column, into: &sql) }.joined(separator: " AND ") + ")"
        case .any(let filters):
            guard !filters.isEmpty else { return "FALSE" }
            return "(" + filters.map { condition($0, column: column, into: &sql) }.joined(separator: " OR ") + ")"
        case .exists(let field, let flag):
            let present = "COALESCE(jsonb_typeof(\(column) -> \(sql.bind(field))) <> 'null', false)"
            return flag ? present : "NOT \(present)"
        case .member(let field, let values, let negated):
            let matches = self.matches(field, values, column: column, into: &sql)
            return negated ? "NOT \(matches)" : matches
        case .compare(let field, let comparison, let operand):
            switch comparison {
            case .eq: return matches(field, [operand], column: column, into: &sql)
            case .ne: return "NOT \(matches(field, [operand], column: column, into: &sql))"
            case .gt, .gte, .lt, .lte:
                guard case .number = operand, let bound = operand.doubleValue else { return "FALSE" }
                let value = "\(column) -> \(sql.bind(field))"
                let op =
                    switch comparison {
                    case .gt: ">"
                    case .gte: ">="
                    case .lt: "<"
                    default: "<="
                    }
                return """
                    COALESCE(CASE WHEN jsonb_typeof(\(value)) = 'number' \
                    THEN rag_float8((\(value))::numeric) \(op) \(sql.bind(bound))::double precision END, false)
                    """
            }
        }
    }

    static func matches(_ field: String, _ values: [JSONValue], column: String, into sql: inout PostgresSQL) -> String {
        let candidates = JSONValue.array(values).jsonString
        return "rag_json_matches(\(column) -> \(sql.bind(field)), \(sql.bind(candidates))::jsonb)"
    }
}
