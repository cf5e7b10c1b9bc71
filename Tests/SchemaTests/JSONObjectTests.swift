import Testing

@testable import GatewaySchema

@Suite("JSONObject")
struct JSONObjectTests {
    @Test func preservesInsertionOrder() throws {
        let parsed = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        let object = try #require(parsed.objectValue)
        #expect(object.keys == ["z", "a", "m"])
        #expect(object.values == [1, 2, 3])
        #expect(object.map { $0.key } == ["z", "a", "m"])
        #expect(parsed.jsonString == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test func duplicateKeysLastWinsFirstPosition() throws {
        let parsed = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(parsed.objectValue?.keys == ["a", "b"])
        #expect(parsed["a"] == 3)
        #expect(parsed.jsonString == #"{"a":3,"b":2}"#)
        let built = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(built.keys == ["a", "b"])
        #expect(built["a"] == 3)
        let literal: JSONObject = ["k": 1, "j": 2, "k": 3]
        #expect(literal.keys == ["k", "j"])
        #expect(literal["k"] == 3)
    }

    @Test func subscriptSetReplacesInPlaceAppendsAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        object["d"] = 4
        #expect(object.keys == ["a", "b", "c", "d"])
        object["a"] = nil
        #expect(object.keys == ["b", "c", "d"])
        #expect(object["a"] == nil)
        object["missing"] = nil
        #expect(object.count == 3)
        #expect(object.removeValue(forKey: "c") == 3)
        #expect(object.removeValue(forKey: "c") == nil)
        object["a"] = 0
        #expect(object.keys == ["b", "d", "a"])
        #expect(object.contains(key: "d"))
        #expect(!object.isEmpty)
        #expect(JSONObject().isEmpty)
    }

    @Test func explicitNullIsStored() {
        var object = JSONObject()
        object["n"] = .null
        #expect(object.count == 1)
        #expect(object["n"] == .null)
    }

    @Test func largeObjectsUseTheIndexConsistently() {
        var object = JSONObject()
        for i in 0..<100 { object["k\(i)"] = .number(JSONNumber(i)) }
        #expect(object.count == 100)
        #expect(object["k57"] == 57)
        object["k57"] = "replaced"
        #expect(object.keys[57] == "k57")
        for i in stride(from: 0, to: 100, by: 2) { object["k\(i)"] = nil }
        #expect(object.count == 50)
        #expect(object["k57"] == "replaced")
        #expect(object["k58"] == nil)
        #expect(object["k99"] == 99)
        for i in stride(from: 1, to: 80, by: 2) { object.removeValue(forKey: "k\(i)") }
        #expect(object.keys == stride(from: 81, to: 100, by: 2).map { "k\($0)" })
        object["new"] = true
        #expect(object.keys.last == "new")
        #expect(object["k81"] == 81)
    }

    @Test func equalityIgnoresOrder() {
        let a: JSONObject = ["a": 1, "b": 2]
        let b: JSONObject = ["b": 2, "a": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != ["a": 1, "b": 3])
        #expect(a != ["a": 1, "c": 2])
        #expect(a != ["a": 1])
    }
}
