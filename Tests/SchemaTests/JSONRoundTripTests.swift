import TestSupport
import Testing

@testable import GatewaySchema

@Suite("JSON round trips")
struct JSONRoundTripTests {
    @Test(arguments: 0..<300)
    func randomTreeRoundTrips(seed: Int) throws {
        var generator = JSONValueGenerator(seed: UInt64(seed))
        let value = generator.value()
        let bytes = value.serialized()
        let parsed = try JSONParser.parse(bytes)
        #expect(parsed == value)
        #expect(parsed.hashValue == value.hashValue)
        // Byte-faithful: serializing the parsed value reproduces the compact text (incl. key order).
        #expect(parsed.serialized() == bytes)
    }

    @Test func doubleRenderingIsValidJSON() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let double = Double(bitPattern: rng.next())
            guard double.isFinite else { continue }
            let number = JSONNumber(double)
            let parsed = try JSONParser.parse(number.raw)
            #expect(parsed == .number(number))
            #expect(parsed.doubleValue == double)
        }
    }

    @Test func stringsSurviveEveryEscapeForm() throws {
        var all = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) })
        all += "é日本😀\u{2028}\u{10FFFF}"
        let value = JSONValue.string(all)
        #expect(try JSONParser.parse(value.serialized()) == value)
    }
}
