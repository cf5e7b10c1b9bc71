import Testing

@testable import GatewaySchema

@Suite("JSONObjectWriter: records written straight to bytes")
struct JSONObjectWriterTests {
    /// The writer and `JSONValue.serialize` must give the same bytes for the same object, strings with every kind
    /// of escape included.
    @Test func writesExactlyWhatTheSerializerWrites() throws {
        var generator = JSONValueGenerator(seed: 23)
        for _ in 0..<500 {
            let name = generator.string()
            let count = generator.int(1_000_000) - 500_000
            let nested = generator.value()
            let flag = generator.int(2) == 1
            let items = (0..<generator.int(4)).map { _ in (generator.string(), generator.int(100)) }

            var writer = JSONObjectWriter(capacity: 16)
            writer.string("name", name)
            writer.string("missing", nil)
            writer.int("count", count)
            writer.int("none", nil)
            writer.bool("flag", flag)
            writer.value("nested", nested)
            writer.objects("items", items) { item, element in
                item.string("key", element.0)
                item.int("n", element.1)
            }
            writer.number("raw", raw: "1.25e3")

            var expected = JSONObject()
            expected["name"] = .string(name)
            expected["missing"] = .null
            expected["count"] = .number(JSONNumber(count))
            expected["none"] = .null
            expected["flag"] = .bool(flag)
            expected["nested"] = nested
            expected["items"] = .array(
                items.map { .object(JSONObject([("key", .string($0.0)), ("n", .number(JSONNumber($0.1)))])) })
            expected["raw"] = .number(JSONNumber(raw: "1.25e3"))
            #expect(writer.finish() == JSONValue.object(expected).serialized())
        }
    }

    @Test func emptyObjectsAndArrays() {
        #expect(JSONObjectWriter().finish() == Array("{}".utf8))
        var writer = JSONObjectWriter()
        writer.objects("a", [Int]()) { _, _ in }
        writer.objects("b", [1, 2]) { _, _ in }
        #expect(writer.finish() == Array(#"{"a":[],"b":[{},{}]}"#.utf8))
    }

    @Test(arguments: [
        (1_500_001, 3, "1500.001"), (42, 3, "0.042"), (-500, 3, "-0.5"), (12_000, 3, "12"), (0, 3, "0"),
        (-1_500, 3, "-1.5"), (100, 3, "0.1"), (7, 0, "7"), (-7, 0, "-7"), (Int.min, 2, "-92233720368547758.08"),
        (Int.max, 6, "9223372036854.775807"), (1_000_001, 6, "1.000001"),
    ])
    func scaledNumbersArePlainDecimalsWithoutTrailingZeros(value: Int, decimals: Int, text: String) throws {
        var writer = JSONObjectWriter()
        writer.number("x", scaled: value, decimals: decimals)
        #expect(writer.finish() == Array("{\"x\":\(text)}".utf8))
    }

    @Test func integersAtTheirLimits() throws {
        for value in [0, 1, -1, 9, 10, -10, Int.max, Int.min] {
            var writer = JSONObjectWriter()
            writer.int("v", value)
            #expect(writer.finish() == Array("{\"v\":\(value)}".utf8))
        }
    }
}
