import Testing

@testable import GatewaySchema

@Suite("JSON serializer")
struct JSONSerializerTests {
    @Test func escapesMinimally() {
        let value: JSONValue = .string("a\"b\\c\n\u{1}/é")
        #expect(value.jsonString == #""a\"b\\c\n\u0001/é""#)
        #expect(value.serialized() == Array(#""a\"b\\c\n\u0001/é""#.utf8))
    }

    @Test func everyControlCharacter() {
        let all = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        let expected =
            #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
        #expect(JSONValue.string(all).jsonString == expected)
    }

    @Test func nonASCIIAndSeparatorsAreRaw() {
        let text = "\u{7F}\u{2028}\u{2029}😀日本/"
        #expect(JSONValue.string(text).serialized() == [0x22] + Array(text.utf8) + [0x22])
    }

    @Test func longStringsWithEscapesAtWordBoundaries() {
        for position in 0..<20 {
            var characters = Array(repeating: Character("x"), count: 20)
            characters[position] = "\""
            let expected = "\"" + String(characters).replacingQuote() + "\""
            #expect(JSONValue.string(String(characters)).jsonString == expected)
        }
    }

    @Test func compactStructureInStoredOrder() {
        var object: JSONObject = ["z": 1, "a": [true, false, nil], "m": ["k": "v"]]
        object["b"] = 2.5
        let value: JSONValue = .object(object)
        #expect(value.jsonString == #"{"z":1,"a":[true,false,null],"m":{"k":"v"},"b":2.5}"#)
        #expect(JSONValue.array([]).jsonString == "[]")
        #expect(JSONValue.object([:]).jsonString == "{}")
    }

    @Test func numbersWrittenFromRawText() {
        #expect(JSONValue.number(JSONNumber(raw: "1.0e+300")).jsonString == "1.0e+300")
        #expect(JSONValue.number(JSONNumber(-42)).jsonString == "-42")
        #expect(JSONValue.number(JSONNumber(2.0)).jsonString == "2.0")
        #expect(JSONValue.number(JSONNumber(0.1)).jsonString == "0.1")
    }

    @Test func serializeAppends() {
        var bytes = Array("prefix:".utf8)
        JSONValue.array([1, "x"]).serialize(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"prefix:[1,"x"]"#)
    }
}

extension String {
    fileprivate func replacingQuote() -> String {
        var result = ""
        for character in self {
            result += character == "\"" ? "\\\"" : String(character)
        }
        return result
    }
}
