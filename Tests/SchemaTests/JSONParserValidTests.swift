import Testing

@testable import GatewaySchema

/// A valid document and its compact re-serialization.
struct ValidCase: Sendable, CustomTestStringConvertible {
    var input: String
    var compact: String
    var testDescription: String { input.debugDescription }

    init(_ input: String, _ compact: String? = nil) {
        self.input = input
        self.compact = compact ?? input
    }
}

@Suite("JSONParser: valid documents")
struct JSONParserValidTests {
    static let cases: [ValidCase] = [
        ValidCase("[]"),
        ValidCase("{}"),
        ValidCase("null"),
        ValidCase("true"),
        ValidCase("false"),
        ValidCase("0"),
        ValidCase("-0"),
        ValidCase("0.5"),
        ValidCase("-0.5"),
        ValidCase("1e10"),
        ValidCase("1E-10"),
        ValidCase("1.5e+3"),
        ValidCase("-123"),
        ValidCase("12345678901234567890"),
        ValidCase("-98765432109876543210987654321"),
        ValidCase("1.0e+300"),
        ValidCase("1e400"),
        ValidCase("[-0.0e-0]"),
        ValidCase("0.000000000000000000000000001"),
        ValidCase(#""""#),
        ValidCase(#""hello""#),
        ValidCase(#""\u00e9""#, #""é""#),
        ValidCase(#""\u00C9""#, #""É""#),
        ValidCase(#""\uD83D\uDE00""#, #""😀""#),
        ValidCase(#""\udbff\udfff""#, "\"\u{10FFFF}\""),
        ValidCase(#""\uFFFF""#, "\"\u{FFFF}\""),
        ValidCase(#""\u0000""#, #""\u0000""#),
        ValidCase(#""\"\\\/\b\f\n\r\t""#, #""\"\\/\b\f\n\r\t""#),
        ValidCase(#""\u0041\u0042C""#, #""ABC""#),
        ValidCase(#""é日本🎉""#),
        ValidCase(#""\u2028\u2029""#, "\"\u{2028}\u{2029}\""),
        ValidCase(#""a long string with an escape at the very end\n""#),
        ValidCase(#""\ta long string with an escape at the very start""#),
        ValidCase("[[[[]]]]"),
        ValidCase(#"{"a":{"b":[1,{"c":null}]}}"#),
        ValidCase(#"[1,"a",true,null,{},[],-2.5]"#),
        ValidCase(#"{"a":1,"a":2}"#, #"{"a":2}"#),
        ValidCase(#"{"\u0061b":1,"":0}"#, #"{"ab":1,"":0}"#),
        ValidCase(" \t\r\n[ 1 , 2 ]\n ", "[1,2]"),
        ValidCase(" { \"k\" : [ true , false ] , \"n\" : null } ", #"{"k":[true,false],"n":null}"#),
        ValidCase("  \"x\"  ", #""x""#),
        ValidCase(#"{"z":1,"a":2,"m":3}"#),
        ValidCase("[\"\u{7F}\"]"),
        ValidCase(#"["/","\/"]"#, #"["/","/"]"#),
    ]

    @Test(arguments: cases)
    func parsesAndReserializes(_ testCase: ValidCase) throws {
        let value = try JSONParser.parse(testCase.input)
        #expect(value.jsonString == testCase.compact)
        #expect(try JSONParser.parse(testCase.compact) == value)
    }

    @Test func scalarValues() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#"[1,"a",null]"#) == [1, "a", nil])
        #expect(try JSONParser.parse(#"{"a":[true]}"#) == ["a": [true]])
    }

    @Test func bigNumbersKeepTheirExactText() throws {
        let value = try JSONParser.parse("[12345678901234567890,1.0e+300,1e400,-0]")
        let raws = value.arrayValue?.compactMap { element -> String? in
            if case .number(let number) = element { return number.raw }
            return nil
        }
        #expect(raws == ["12345678901234567890", "1.0e+300", "1e400", "-0"])
        #expect(value.arrayValue?[0].intValue == nil)
        #expect(value.arrayValue?[0].doubleValue == 12_345_678_901_234_567_890.0)
        #expect(value.arrayValue?[1].doubleValue == 1.0e300)
        #expect(value.arrayValue?[3].intValue == 0)
    }

    @Test func acceptsAllInputForms() throws {
        let text = #"{"a":[1,2,{"b":"é"}]}"#
        let expected = try JSONParser.parse(text)
        let bytes = Array(text.utf8)
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try JSONParser.parse(bytes[...]) == expected)
        #expect(try JSONParser.parse(text.utf8) == expected)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == expected)  // non-contiguous fallback
        #expect(try bytes.withUnsafeBytes { try JSONParser.parse($0) } == expected)
        let padded: [UInt8] = Array("xx".utf8) + bytes + Array("yy".utf8)
        #expect(try JSONParser.parse(padded[2..<(padded.count - 2)]) == expected)
    }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
        var objects = "1"
        for _ in 0..<64 { objects = #"{"a":\#(objects)}"# }
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
        let custom = "[[1]]"
        #expect(throws: Never.self) { try JSONParser.parse(custom, maxDepth: 2) }
    }

    @Test func largeObjectsWithDuplicates() throws {
        var members = (0..<40).map { #""k\#($0)":\#($0)"# }
        members.append(#""k3":"dup""#)
        members.append(#""k39":"last""#)
        let value = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        let object = try #require(value.objectValue)
        #expect(object.count == 40)
        #expect(object.keys == (0..<40).map { "k\($0)" })
        #expect(object["k3"] == "dup")
        #expect(object["k39"] == "last")
        #expect(object["k20"] == 20)
    }
}
