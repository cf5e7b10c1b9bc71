import Testing

@testable import GatewaySchema

@Suite("JSONValue and JSONNumber")
struct JSONValueTests {
    @Test func literals() {
        let value: JSONValue = ["s": "x", "i": 3, "d": 2.5, "b": true, "n": nil, "a": [1, "two"]]
        #expect(value["s"] == .string("x"))
        #expect(value["i"] == .number(JSONNumber(3)))
        #expect(value["d"] == .number(JSONNumber(2.5)))
        #expect(value["b"] == .bool(true))
        #expect(value["n"] == .null)
        #expect(value["a"] == .array([.number(JSONNumber(1)), .string("two")]))
        #expect(value.objectValue?.keys == ["s", "i", "d", "b", "n", "a"])
    }

    @Test func accessors() {
        let string: JSONValue = "hi"
        #expect(string.stringValue == "hi")
        #expect(string.intValue == nil)
        #expect(string["k"] == nil)
        #expect(JSONValue.number(JSONNumber(raw: "42")).intValue == 42)
        #expect(JSONValue.number(JSONNumber(raw: "-7")).intValue == -7)
        #expect(JSONValue.number(JSONNumber(raw: "3.0")).intValue == nil)
        #expect(JSONValue.number(JSONNumber(raw: "1e2")).intValue == nil)
        #expect(JSONValue.number(JSONNumber(raw: "1e2")).doubleValue == 100)
        #expect(JSONValue.number(JSONNumber(raw: "9223372036854775807")).intValue == Int.max)
        #expect(JSONValue.number(JSONNumber(raw: "9223372036854775808")).intValue == nil)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.bool(false).isNull)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.object(["a": 1]).objectValue?["a"] == 1)
        #expect(JSONValue.object(["a": 1])["b"] == nil)
        #expect(JSONValue.array([1])["a"] == nil)
        #expect(JSONValue.null.stringValue == nil)
    }

    @Test func numberInitializers() {
        #expect(JSONNumber(7).raw == "7")
        #expect(JSONNumber(-7).raw == "-7")
        #expect(JSONNumber(2.0).raw == "2.0")
        #expect(JSONNumber(0.1).raw == "0.1")
        #expect(JSONNumber(1e300).raw == "1e+300")
        #expect(JSONNumber(Int.min).int == Int.min)
        #expect(JSONNumber(raw: "1e400").double == .infinity)
    }

    @Test func numberEquality() {
        #expect(JSONNumber(raw: "1") == JSONNumber(raw: "1.0"))
        #expect(JSONNumber(raw: "100") == JSONNumber(raw: "1e2"))
        #expect(JSONNumber(raw: "0") == JSONNumber(raw: "-0.0"))
        #expect(JSONNumber(raw: "1") != JSONNumber(raw: "2"))
        #expect(JSONNumber(raw: "1e400") == JSONNumber(raw: "1e400"))
        #expect(JSONNumber(raw: "1e400") != JSONNumber(raw: "2e400"))
        #expect(Set([JSONNumber(raw: "1"), JSONNumber(raw: "1.0"), JSONNumber(raw: "1e0")]).count == 1)
        #expect(Set([JSONNumber(raw: "0"), JSONNumber(raw: "-0")]).count == 1)
    }

    @Test func structuralEqualityAndHashing() {
        let a: JSONValue = ["x": 1, "y": [true, "s"]]
        let b: JSONValue = ["y": [true, "s"], "x": 1.0]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["x": 1, "y": [true, "t"]])
        #expect(a != ["x": 1])
        #expect(JSONValue.array([1, 2]) != JSONValue.array([2, 1]))
        #expect(JSONValue.string("1") != JSONValue.number(JSONNumber(1)))
        #expect(Set<JSONValue>([a, b, nil, false, 0]).count == 4)
    }

    @Test func descriptionIsCompactJSON() {
        let value: JSONValue = ["a": [1, nil]]
        #expect(value.description == #"{"a":[1,null]}"#)
        #expect("\(JSONNumber(raw: "1.50"))" == "1.50")
    }
}
