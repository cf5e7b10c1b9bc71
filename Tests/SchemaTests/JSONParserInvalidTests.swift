import TestSupport
import Testing

@testable import GatewaySchema

/// An invalid document and the error kind it must produce.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var kind: JSONParseError.Kind
    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription + " → \(kind)" }

    init(_ text: String, _ kind: JSONParseError.Kind) {
        self.bytes = Array(text.utf8)
        self.kind = kind
    }

    init(bytes: [UInt8], _ kind: JSONParseError.Kind) {
        self.bytes = bytes
        self.kind = kind
    }
}

func parseError(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

@Suite("JSONParser: invalid documents")
struct JSONParserInvalidTests {
    static let cases: [InvalidCase] = [
        InvalidCase("", .empty),
        InvalidCase(" \n\t ", .empty),
        InvalidCase("01", .invalidNumber),
        InvalidCase("-01", .invalidNumber),
        InvalidCase("[00]", .invalidNumber),
        InvalidCase("1.e5", .invalidNumber),
        InvalidCase("-a", .invalidNumber),
        InvalidCase("-Infinity", .invalidNumber),
        InvalidCase("1e+x", .invalidNumber),
        InvalidCase("1.", .unexpectedEnd),
        InvalidCase("1e", .unexpectedEnd),
        InvalidCase("1e+", .unexpectedEnd),
        InvalidCase("-", .unexpectedEnd),
        InvalidCase(".5", .unexpectedCharacter),
        InvalidCase("+1", .unexpectedCharacter),
        InvalidCase("[1,]", .unexpectedCharacter),
        InvalidCase(#"{"a":1,}"#, .unexpectedCharacter),
        InvalidCase("[1 2]", .unexpectedCharacter),
        InvalidCase("[1,,2]", .unexpectedCharacter),
        InvalidCase("{a:1}", .unexpectedCharacter),
        InvalidCase(#"{"a" 1}"#, .unexpectedCharacter),
        InvalidCase(#"{"a":}"#, .unexpectedCharacter),
        InvalidCase("{1:2}", .unexpectedCharacter),
        InvalidCase("'a'", .unexpectedCharacter),
        InvalidCase("NaN", .unexpectedCharacter),
        InvalidCase("Infinity", .unexpectedCharacter),
        InvalidCase("True", .unexpectedCharacter),
        InvalidCase("trux", .unexpectedCharacter),
        InvalidCase("/* c */ 1", .unexpectedCharacter),
        InvalidCase("\u{A0}1", .unexpectedCharacter),
        InvalidCase("\u{C}1", .unexpectedCharacter),
        InvalidCase("tru", .unexpectedEnd),
        InvalidCase("nul", .unexpectedEnd),
        InvalidCase("[", .unexpectedEnd),
        InvalidCase("{", .unexpectedEnd),
        InvalidCase(#"{"a""#, .unexpectedEnd),
        InvalidCase(#""abc"#, .unexpectedEnd),
        InvalidCase(#""\"#, .unexpectedEnd),
        InvalidCase(#""\u12"#, .unexpectedEnd),
        InvalidCase(#""\uD800"#, .unexpectedEnd),
        InvalidCase("[1] x", .trailingData),
        InvalidCase("{}{}", .trailingData),
        InvalidCase("1 2", .trailingData),
        InvalidCase("0x10", .trailingData),
        InvalidCase("[1] // c", .trailingData),
        InvalidCase(#""\x""#, .invalidEscape),
        InvalidCase(#""\U0041""#, .invalidEscape),
        InvalidCase(#""\u12G4""#, .invalidEscape),
        InvalidCase(#""\'""#, .invalidEscape),
        InvalidCase(#""\uD800""#, .invalidUnicode),
        InvalidCase(#""\uDC00""#, .invalidUnicode),
        InvalidCase(#""\uD800\u0041""#, .invalidUnicode),
        InvalidCase(#""\uD800x""#, .invalidUnicode),
        InvalidCase(#""\uD800\uD800""#, .invalidUnicode),
        InvalidCase("\"a\u{1}b\"", .invalidString),
        InvalidCase("\"\t\"", .invalidString),
        InvalidCase("\"line\nbreak\"", .invalidString),
        InvalidCase("\"esc\\n then raw \u{1F}\"", .invalidString),
        InvalidCase(bytes: [0x22, 0xC3, 0x28, 0x22], .invalidString),
        InvalidCase(bytes: [0x22, 0xFF, 0x22], .invalidString),
        InvalidCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidString),  // encoded surrogate
        InvalidCase(bytes: [0x22, 0xC0, 0xAF, 0x22], .invalidString),  // overlong "/"
        InvalidCase(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], .invalidString),  // truncated 4-byte sequence
        InvalidCase(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x41, 0x22], .invalidString),  // same length after repair
        InvalidCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidString),  // above U+10FFFF
        InvalidCase(bytes: [0x22, 0x5C, 0x6E, 0x80, 0x22], .invalidString),  // stray continuation after escape
        InvalidCase(bytes: [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D], .invalidString),  // invalid key
    ]

    @Test(arguments: cases)
    func rejects(_ testCase: InvalidCase) {
        let error = parseError(testCase.bytes)
        #expect(error?.kind == testCase.kind, "\(String(describing: error))")
    }

    @Test func depthLimit() {
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let error = parseError(Array(tooDeep.utf8))
        #expect(error?.kind == .tooDeep)
        #expect(error?.offset == 64)
        #expect(error?.description == "JSON nesting exceeds the maximum depth of 64")

        var objects = "1"
        for _ in 0..<65 { objects = #"{"a":\#(objects)}"# }
        #expect(parseError(Array(objects.utf8))?.kind == .tooDeep)
        #expect(parseError(Array("[[1]]".utf8), maxDepth: 1)?.kind == .tooDeep)
        #expect(parseError(Array("[[1]]".utf8), maxDepth: 1)?.description.hasSuffix("depth of 1") == true)

        // Far beyond the limit: must fail fast without exhausting the stack.
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(parseError(hostile)?.kind == .tooDeep)
    }

    @Test func errorOffsetsAndMessages() {
        let error = parseError(Array("[1,x]".utf8))
        #expect(error?.kind == .unexpectedCharacter)
        #expect(error?.offset == 3)
        #expect(error?.description == "Unexpected character 'x' at byte 3")
        #expect(parseError(Array("[1] x".utf8))?.offset == 4)
        #expect(parseError(Array("[01]".utf8))?.offset == 2)
        #expect(parseError(Array("\"ab\u{1}\"".utf8))?.offset == 3)
        #expect(parseError([0x5B, 0x00])?.description == "Unexpected character 0x00 at byte 1")
        #expect(parseError(Array("[1,".utf8))?.kind == .unexpectedEnd)
        #expect(parseError(Array("[1,".utf8))?.offset == 3)
    }

    @Test func everyTruncationOfAValidDocumentFails() throws {
        let document =
            #"{"model":"gpt-4o","n":-12.5e+3,"ok":[true,false,null],"#
            + #""text":"é\n\u00e9\uD83D\uDE00 🎉","nested":{"a":[[],{}],"b":"\"\\"},"z":0}"#
        let bytes = Array(document.utf8)
        #expect(throws: Never.self) { try JSONParser.parse(bytes) }
        for length in 0..<bytes.count {
            let error = parseError(Array(bytes[..<length]))
            let expected: JSONParseError.Kind = length == 0 ? .empty : .unexpectedEnd
            #expect(error?.kind == expected, "prefix of length \(length): \(String(describing: error))")
        }
    }

    @Test func randomGarbageNeverCrashes() throws {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("{}[]\",:\\u0123456789.eE+-truefalsnl \n\t/".utf8) + [0x00, 0x1F, 0xC3, 0xA9, 0xFF, 0xED]
        for _ in 0..<3_000 {
            let length = Int(rng.next() % 24)
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            if let value = try? JSONParser.parse(bytes) {
                // Anything accepted must round-trip.
                #expect(try JSONParser.parse(value.serialized()) == value)
            }
        }
    }
}
