import PostgresNIO

/// SQL text assembled piece by piece with its values bound as parameters (`$1`, `$2`, …) as they are added,
/// for statements whose shape depends on the input (such as compiled metadata filters). Values never enter
/// the text; only fixed fragments written in this module do.
struct PostgresSQL {
    var text: String
    var bindings = PostgresBindings()

    init(_ text: String = "") {
        self.text = text
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds `value`, or SQL NULL when it is nil, and returns its placeholder.
    mutating func bind(_ value: (some PostgresDynamicTypeEncodable)?) -> String {
        if let value { bindings.append(value) } else { bindings.appendNull() }
        return "$\(bindings.count)"
    }

    mutating func append(_ fragment: String) {
        text += fragment
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: bindings) }
}
