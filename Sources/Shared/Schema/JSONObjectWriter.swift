/// Writes one JSON object straight to bytes, member by member, in `JSONValue.serialize`'s exact form.
///
/// For records built on every request (the audit event): assembling a `JSONObject` only to serialise it
/// costs an allocation per member and a key search per insertion; this appends to one buffer. Keys are
/// `StaticString`s, written as they are, so they must not need escaping (checked in debug builds).
public struct JSONObjectWriter {
    public private(set) var bytes: [UInt8]
    var empty = true

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// The object's text, closed.
    public consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    mutating func key(_ key: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { utf8 in
            assert(!utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            bytes.append(contentsOf: utf8)
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// A string member, `null` when nil.
    public mutating func string(_ key: StaticString, _ value: String?) {
        self.key(key)
        if let value { JSONSerializer.appendString(value, into: &bytes) } else { appendNull() }
    }

    /// An integer member, `null` when nil.
    public mutating func int(_ key: StaticString, _ value: Int?) {
        self.key(key)
        if let value { Self.appendDecimal(value, into: &bytes) } else { appendNull() }
    }

    public mutating func bool(_ key: StaticString, _ value: Bool) {
        self.key(key)
        bytes.append(contentsOf: value ? JSONSerializer.trueBytes : JSONSerializer.falseBytes)
    }

    /// A number member given as JSON number text (`JSONNumber.raw`, `USD.description`).
    public mutating func number(_ key: StaticString, raw: String) {
        self.key(key)
        JSONSerializer.appendRaw(raw, into: &bytes)
    }

    /// `value / 10^decimals` as a plain decimal without trailing zeros (`1500.001`, `12`, `-0.5`): exact, since it
    /// is written from the integer.
    public mutating func number(_ key: StaticString, scaled value: Int, decimals: Int) {
        self.key(key)
        var divisor = 1
        for _ in 0..<decimals { divisor *= 10 }
        let magnitude = value.magnitude
        let whole = magnitude / UInt(divisor)
        var fraction = magnitude % UInt(divisor)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        Self.appendDecimal(whole, into: &bytes)
        guard fraction != 0 else { return }
        var digits = decimals
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        let start = bytes.count
        Self.appendDecimal(fraction, into: &bytes)
        // Leading zeros of the fraction (`0.042` has fraction 42 of 3 digits).
        let missing = digits - (bytes.count - start)
        if missing > 0 { bytes.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: missing), at: start) }
    }

    /// Any value, serialised.
    public mutating func value(_ key: StaticString, _ value: JSONValue) {
        self.key(key)
        value.serialize(into: &bytes)
    }

    /// An array member whose elements are objects written by `body`, one call per element.
    public mutating func objects<S: Sequence>(
        _ key: StaticString, _ elements: S, _ body: (inout JSONObjectWriter, S.Element) -> Void
    ) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            var nested = JSONObjectWriter(taking: &bytes)
            body(&nested, element)
            bytes = nested.finish()
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A nested object continuing `bytes`, which it takes over (uniquely referenced, so appends do not copy).
    init(taking bytes: inout [UInt8]) {
        self.bytes = []
        swap(&self.bytes, &bytes)
        self.bytes.append(UInt8(ascii: "{"))
    }

    mutating func appendNull() { bytes.append(contentsOf: JSONSerializer.nullBytes) }

    static func appendDecimal(_ value: Int, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(value.magnitude, into: &bytes)
    }

    static func appendDecimal(_ value: UInt, into bytes: inout [UInt8]) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: UInt.max has 20 digits
        withUnsafeMutableBytes(of: &buffer) { digits in
            var value = value
            var position = digits.count
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value != 0
            bytes.append(contentsOf: digits[position...])
        }
    }
}
