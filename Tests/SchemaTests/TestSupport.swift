import TestSupport

@testable import GatewaySchema

/// Random JSON trees exercising escapes, non-BMP characters and exotic number text.
struct JSONValueGenerator {
    var rng: SplitMix64

    static let characters: [Character] =
        (0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }
        + [
            "\"", "\\", "/", "a", "Z", " ", "é", "日", "😀", "🎉", "\u{2028}", "\u{2029}", "\u{7F}", "\u{FFFF}",
            "\u{10FFFF}", "\r\n", "👩‍👩‍👧",
        ]
    static let rawNumbers = ["0", "-0", "1e400", "12345678901234567890", "1.0e+300", "-0.0e-0", "5E-324", "0.1"]

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    mutating func int(_ bound: Int) -> Int {
        Int(rng.next() % UInt64(bound))
    }

    mutating func string(maxLength: Int = 12) -> String {
        String((0..<int(maxLength + 1)).map { _ in Self.characters[int(Self.characters.count)] })
    }

    mutating func number() -> JSONNumber {
        switch int(4) {
        case 0: return JSONNumber(Int(bitPattern: UInt(rng.next())) >> int(63))
        case 1:
            let value = Double(bitPattern: rng.next())
            return JSONNumber(value.isFinite ? value : 1.5)
        case 2: return JSONNumber(Double(int(2_000_001) - 1_000_000) / 1000)
        default: return JSONNumber(raw: Self.rawNumbers[int(Self.rawNumbers.count)])
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let choice = depth >= 4 ? int(4) : int(6)
        switch choice {
        case 0: return int(2) == 0 ? .null : .bool(int(2) == 0)
        case 1: return .number(number())
        case 2, 3: return .string(string())
        case 4: return .array((0..<int(5)).map { _ in value(depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<int(6) { object[string(maxLength: 4)] = value(depth: depth + 1) }
            return .object(object)
        }
    }
}
