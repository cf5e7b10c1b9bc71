import Foundation
import TestSupport
import Testing

@testable import GatewaySchema

/// What `JSONObjectText.skim` makes of a document: its error, or whether it gave an object text.
func skimOutcome(
    _ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth, elementsOf: String? = nil
) -> (JSONParseError?, JSONObjectText?) {
    do {
        return (nil, try JSONObjectText.skim(bytes, maxDepth: maxDepth, elementsOf: elementsOf))
    } catch {
        return (error, nil)
    }
}

/// An element as `JSONParser` reads it.
func parsed(_ element: JSONObjectText.ElementText) -> JSONValue {
    switch element {
    case .object(let text): .object(text.object)
    case .other(let value): value
    }
}

@Suite("JSONObjectText: splicing an upstream answer")
struct JSONObjectTextTests {
    static let completion = Array(
        #"""
        {"id":"chatcmpl-up","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\" \u00e9 😀\n","refusal":null},
         "logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":12,
         "total_tokens":21,"prompt_tokens_details":{"cached_tokens":0}},"system_fingerprint":"fp_1"}
        """#.utf8)

    @Test func membersAreReplacedInPlaceAndTheRestIsCopiedByteForByte() throws {
        let text = try #require(try JSONObjectText.skim(Self.completion))
        #expect(
            text.members.map(\.key) == ["id", "object", "created", "model", "choices", "usage", "system_fingerprint"])
        #expect(text["usage"]?["total_tokens"]?.intValue == 21)
        #expect(text["missing"] == nil)

        let out = text.serialized(replacing: [("id", "chatcmpl-gw"), ("created", 42), ("model", "fast")])
        var expected = try #require(try JSONParser.parse(Self.completion).objectValue)
        expected["id"] = "chatcmpl-gw"
        expected["created"] = 42
        expected["model"] = "fast"
        let parsed = try #require(try JSONParser.parse(out).objectValue)
        #expect(parsed == expected)
        #expect(parsed.keys == expected.keys)
        // The untouched members keep the upstream's exact text (escapes and all).
        let original = String(decoding: Self.completion, as: UTF8.self)
        let written = String(decoding: out, as: UTF8.self)
        let choices = try #require(original.range(of: #""choices":[{"#))
        let end = try #require(original.range(of: #","usage""#))
        #expect(written.contains(String(original[choices.lowerBound..<end.lowerBound])))
        #expect(written.hasPrefix(#"{"id":"chatcmpl-gw","object":"chat.completion","created":42,"model":"fast","#))
    }

    @Test func missingMembersAreAddedAtTheEndInOrder() throws {
        let text = try #require(try JSONObjectText.skim(Array(#" { "a" : [1, 2] , "b":{} } "#.utf8)))
        let out = text.serialized(replacing: [("z", "last"), ("b", true), ("y", .null)])
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":[1, 2],"b":true,"z":"last","y":null}"#)
        #expect(String(decoding: text.serialized(replacing: []), as: UTF8.self) == #"{"a":[1, 2],"b":{}}"#)
        let empty = try #require(try JSONObjectText.skim(Array("{}".utf8)))
        #expect(String(decoding: empty.serialized(replacing: [("k", 1)]), as: UTF8.self) == #"{"k":1}"#)
    }

    @Test func membersCanBeLeftOutAndEmptyArraysAreReadFromTheText() throws {
        let text = try #require(
            try JSONObjectText.skim(Array(#"{"usage":{"t":1},"choices":[ ],"x":[0],"s":"[]","u":[],"o":{}}"#.utf8)))
        let out = text.serialized(replacing: [("id", "g")], removing: ["usage", "u", "missing"])
        #expect(String(decoding: out, as: UTF8.self) == #"{"choices":[ ],"x":[0],"s":"[]","o":{},"id":"g"}"#)
        #expect(text.isEmptyArray("choices") && text.isEmptyArray("u"))
        for key in ["x", "s", "o", "usage", "missing"] { #expect(!text.isEmptyArray(key), "\(key)") }
    }

    @Test func nonObjectsAndRepeatedKeysAreLeftToTheParser() throws {
        for document in ["[1]", "\"text\"", "12", "null", #"{"a":1,"a":2}"#] {
            let (error, text) = skimOutcome(Array(document.utf8))
            #expect(error == nil, "\(document)")
            #expect(text == nil, "\(document)")
        }
        // A key repeated inside a nested object is the nested value's business: copied as written.
        let nested = try #require(try JSONObjectText.skim(Array(#"{"a":{"k":1,"k":2}}"#.utf8)))
        #expect(nested["a"]?["k"]?.intValue == 2)
    }

    @Test(arguments: JSONParserInvalidTests.cases)
    func invalidDocumentsFailAsParsingFails(_ testCase: InvalidCase) {
        #expect(skimOutcome(testCase.bytes).0 == parseError(testCase.bytes))
        let inArray = Array(#"{"m":[{"k":"#.utf8) + testCase.bytes + Array("}]}".utf8)
        #expect(skimOutcome(inArray, elementsOf: "m").0 == parseError(inArray))
    }

    @Test func theElementsOfANamedArrayAreFoundWhileSkimming() throws {
        let bytes = Array(
            #"""
            {"model":"m","messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00"}, 7,
             {"role":"a","role":"b"}, {"k":{"k":1,"k":2}}, [], "s"],"n":1}
            """#.utf8)
        let text = try #require(try JSONObjectText.skim(bytes, elementsOf: "messages"))
        let elements = try #require(text.elements(of: "messages"))
        let messages = try #require(try JSONParser.parse(bytes)["messages"]?.arrayValue)
        #expect(elements.map(parsed) == messages)
        guard case .object(let first) = elements[0], case .object(let fourth) = elements[3] else {
            Issue.record("objects without repeated keys are object texts")
            return
        }
        #expect(first["content"]?.stringValue == "café 😀")
        #expect(fourth["k"]?["k"]?.intValue == 2, "a repeated key further in is the member's own business")
        guard case .other(let third) = elements[2] else {
            Issue.record("an object that repeats a key is parsed")
            return
        }
        #expect(third["role"] == "b", "the last value wins, as in parsing")
        #expect(text.elements(of: "model") == nil, "only the member named when skimming")
        #expect(try JSONObjectText.skim(bytes)?.elements(of: "messages") == nil)
        #expect(try JSONObjectText.skim(bytes, elementsOf: "n")?.elements(of: "n") == nil, "not an array")
        #expect(
            try JSONObjectText.skim(Array(#"{"messages":[]}"#.utf8), elementsOf: "messages")?.elements(of: "messages")?
                .isEmpty == true)
        #expect(
            try JSONObjectText.skim(Array(#"{"a":1}"#.utf8), elementsOf: "messages")?.elements(of: "messages") == nil)
    }

    @Test func aRequestDocumentReadsMembersFromItsText() throws {
        let bytes = Array(#"{"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user"}]}"#.utf8)
        let document = RequestDocument(text: try #require(try JSONObjectText.skim(bytes)))
        #expect(document["model"] == "m")
        #expect(document["stream_options"]?["include_usage"] == true)
        #expect(document["absent"] == nil)
        #expect(document.contains("messages") && !document.contains("absent"))
        #expect(document.object == (try JSONParser.parse(bytes).objectValue))
        let built = RequestDocument(["model": "x"])
        #expect(built.text == nil && built["model"] == "x" && built.object == ["model": "x"])
        #expect(built.contains("model") && !built.contains("absent"))
    }

    @Test func depthAndTruncationFailAsParsingFails() {
        var objects = "1"
        for _ in 0..<64 { objects = #"{"a":\#(objects)}"# }
        #expect(skimOutcome(Array(objects.utf8)).1 != nil)
        let deeper = Array(#"{"a":\#(objects)}"#.utf8)
        #expect(skimOutcome(deeper).0 == parseError(deeper))
        #expect(skimOutcome(deeper).0?.kind == .tooDeep)
        let deepElement = Array(#"{"m":[\#(objects)]}"#.utf8)
        #expect(skimOutcome(deepElement, elementsOf: "m").0 == parseError(deepElement))
        #expect(skimOutcome(deepElement, elementsOf: "m").0?.kind == .tooDeep)
        var shallower = "1"
        for _ in 0..<(JSONParser.defaultMaxDepth - 2) { shallower = #"{"a":\#(shallower)}"# }
        let fitting = Array(#"{"m":[\#(shallower)]}"#.utf8)
        #expect(skimOutcome(fitting, elementsOf: "m").0 == nil)
        #expect(parseError(fitting) == nil)
        #expect(skimOutcome(Array("{}".utf8), maxDepth: 0).0 == parseError(Array("{}".utf8), maxDepth: 0))
        let hostile =
            [UInt8(ascii: "{"), UInt8(ascii: "\""), UInt8(ascii: "\""), UInt8(ascii: ":")]
            + [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(skimOutcome(hostile).0?.kind == .tooDeep)
        for length in 0..<Self.completion.count {
            let prefix = Array(Self.completion[..<length])
            #expect(skimOutcome(prefix).0 == parseError(prefix), "prefix of length \(length)")
        }
    }

    @Test func randomDocumentsAgreeWithTheParser() throws {
        var generator = JSONValueGenerator(seed: 7)
        for _ in 0..<2_000 {
            var object = JSONObject()
            for _ in 0..<generator.int(6) { object[generator.string(maxLength: 5)] = generator.value() }
            let bytes = JSONValue.object(object).serialized()
            let text = try #require(try JSONObjectText.skim(bytes))
            #expect(text.object == object)
            #expect(try JSONParser.parse(text.serialized(replacing: [])) == .object(object))
        }
        // Mutated documents: skimming accepts exactly what parsing accepts, with the same error.
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("{}[]\",:\\u0123456789.eE+-truefalsnl \n\t/".utf8) + [0x00, 0x1F, 0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<3_000 {
            var bytes = Self.completion
            for _ in 0...Int(rng.next() % 3) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            let (error, text) = skimOutcome(bytes)
            #expect(error == parseError(bytes))
            if let text { #expect(try JSONParser.parse(bytes) == .object(text.object)) }
            let (elementsError, withElements) = skimOutcome(bytes, elementsOf: "choices")
            #expect(elementsError == error)
            if let elements = withElements?.elements(of: "choices") {
                #expect(try JSONParser.parse(bytes)["choices"] == .array(elements.map(parsed)))
            }
        }
    }

    @Test func escapesNextToBrokenCharactersFailAsParsingFails() throws {
        // Pieces of strings: escapes, whole characters, and halves of characters that an escape may interrupt.
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("é".utf8), [0xC3], [0xA9], Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8),
            Array(#"\ud83d\ude00"#.utf8), Array("😀".utf8), [0xF0, 0x9F], [0x98, 0x80], Array(#"\""#.utf8),
        ]
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5_000 {
            var string: [UInt8] = []
            for _ in 0...Int(rng.next() % 5) { string += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let document =
                Array(#"{"messages":[{"content":""#.utf8) + string + Array(#""}],"k":""#.utf8) + string
                + Array(#""}"#.utf8)
            let expected = parseError(document)
            #expect(skimOutcome(document).0 == expected, "\(string)")
            #expect(skimOutcome(document, elementsOf: "messages").0 == expected, "\(string)")
        }
    }

    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 3)
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x8F, 0x90,
            0xF4, 0xF5, 0xFF,
        ]
        for _ in 0..<20_000 {
            let bytes = (0..<Int(rng.next() % 7)).map { _ in interesting[Int(rng.next() % UInt64(interesting.count))] }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } == expected, "\(bytes)")
        }
        // Longer runs, mostly ASCII (checked eight bytes at a time), with odd bytes anywhere among them.
        for _ in 0..<20_000 {
            var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: Int(rng.next() % 40))
            for _ in 0..<Int(rng.next() % 3) where !bytes.isEmpty {
                bytes[Int(rng.next() % UInt64(bytes.count))] = interesting[Int(rng.next() % UInt64(interesting.count))]
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) } == expected, "\(bytes)")
        }
        for scalar in ["é", "日", "😀", "\u{10FFFF}", "\u{FFFF}", "\u{D7FF}", "\u{E000}"] {
            #expect(Array(scalar.utf8).withUnsafeBufferPointer { UTF8Validation.isValid($0) })
        }
    }
}
