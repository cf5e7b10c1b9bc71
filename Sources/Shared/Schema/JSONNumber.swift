/// A JSON number that keeps its exact source text, so pass-through is byte-faithful
/// (e.g. `12345678901234567890` or `1.0e+300` are re-serialized exactly as received).
public struct JSONNumber: Sendable {
    /// The number's text; always valid JSON number syntax.
    public var raw: String

    /// Wraps already-validated JSON number text. The caller guarantees validity.
    @inlinable
    public init(raw: String) {
        self.raw = raw
    }

    @inlinable
    public init(_ value: Int) {
        self.raw = String(value)
    }

    /// Renders with Swift's shortest round-trip `description` (`2.0` becomes `"2.0"`, `1e-05` stays `"1e-05"`).
    /// - Precondition: `value` is finite (JSON has no NaN or infinity).
    public init(_ value: Double) {
        precondition(value.isFinite, "JSON numbers must be finite, got \(value)")
        self.raw = value.description
    }

    /// The exact integer value if `raw` uses integer syntax (no fraction or exponent) and fits in `Int`.
    public var int: Int? {
        var utf8 = raw.utf8[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        guard !utf8.isEmpty, utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
        return Int(raw)
    }

    /// The nearest `Double` (may be infinite for out-of-range text such as `1e400`).
    public var double: Double? {
        Double(raw)
    }
}

extension JSONNumber: Hashable {
    /// Equal if the raw text is identical or both denote the same finite `Double`.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if lhs.raw == rhs.raw { return true }
        guard let l = lhs.double, let r = rhs.double, l.isFinite, r.isFinite else { return false }
        return l == r
    }

    public func hash(into hasher: inout Hasher) {
        if let value = double, value.isFinite {
            hasher.combine(value)
        } else {
            hasher.combine(raw)
        }
    }
}

extension JSONNumber: CustomStringConvertible {
    public var description: String { raw }
}
