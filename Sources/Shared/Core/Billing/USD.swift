import GatewaySchema

/// An amount of US dollars, exact to the picodollar (10⁻¹² USD), with decimal text in and out and no binary
/// floating point anywhere: a price of `0.0375` per million tokens times 7 tokens is exactly `0.0000002625`.
/// Sums are 128-bit, so no realistic total overflows.
public struct USD: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    public static let scale: Int128 = 1_000_000_000_000
    static let fractionDigits = 12

    public var picodollars: Int128

    public init(picodollars: Int128) { self.picodollars = picodollars }

    public static let zero = USD(picodollars: 0)

    /// Parses decimal text: `12`, `0.15`, `-3.5`, `1.5e-3`, `2E+2`. Nil for anything else, and for values that
    /// need more than 12 decimal places (they are not representable exactly).
    public init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []
        var fraction = 0
        var seenPoint = false
        var exponent = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { fraction += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let value = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)), abs(value) < 40 else {
                    return nil
                }
                exponent = value
                break
            } else {
                return nil
            }
            index += 1
        }
        guard !digits.isEmpty else { return nil }
        // value = digits × 10^(exponent − fraction); in picodollars, × 10^12.
        let shift = exponent - fraction + Self.fractionDigits
        while digits.count > 1 && digits.first == 0 { digits.removeFirst() }
        var value: Int128 = 0
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int128(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        if shift >= 0 {
            for _ in 0..<shift {
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                value = times
            }
        } else {
            for _ in 0..<(-shift) {
                guard value % 10 == 0 else { return nil }
                value /= 10
            }
        }
        picodollars = negative ? -value : value
    }

    /// `amount × numerator ÷ denominator`, rounded half to even at the picodollar only when the quotient is not
    /// exact (for example a per-minute price applied to milliseconds).
    public func scaled(by numerator: Int128, dividedBy denominator: Int128) -> USD {
        USD(picodollars: Self.divide(picodollars * numerator, by: denominator))
    }

    static func divide(_ value: Int128, by divisor: Int128) -> Int128 {
        precondition(divisor > 0)
        let quotient = value / divisor
        let remainder = value % divisor
        if remainder == 0 { return quotient }
        let twice = abs(remainder) * 2
        let direction: Int128 = value < 0 ? -1 : 1
        if twice > divisor || (twice == divisor && quotient % 2 != 0) { return quotient + direction }
        return quotient
    }

    public static func + (lhs: USD, rhs: USD) -> USD { USD(picodollars: lhs.picodollars + rhs.picodollars) }
    public static func - (lhs: USD, rhs: USD) -> USD { USD(picodollars: lhs.picodollars - rhs.picodollars) }
    public static func < (lhs: USD, rhs: USD) -> Bool { lhs.picodollars < rhs.picodollars }

    /// Plain decimal text without trailing zeros: `0.0000002625`, `12`, `-0.5`.
    public var description: String {
        let magnitude = picodollars.magnitude
        let whole = magnitude / UInt128(Self.scale)
        var fraction = String(magnitude % UInt128(Self.scale))
        fraction = String(repeating: "0", count: Self.fractionDigits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = picodollars < 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// The amount as an exact JSON number.
    public var json: JSONValue { .number(JSONNumber(raw: description)) }
}
