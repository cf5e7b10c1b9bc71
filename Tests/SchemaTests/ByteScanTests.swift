import Testing

@testable import GatewaySchema

@Suite("ByteScan.firstIndex: substring search in bytes")
struct ByteScanTests {
    let text = Array("data: {\"tool_calls\":[]} and \"tool_calls\" again".utf8)
    let needle = Array("\"tool_calls\"".utf8)

    @Test("finds the first occurrence, at or after the start given")
    func findsFirstOccurrence() {
        #expect(ByteScan.firstIndex(of: needle, in: text) == 7)
        #expect(ByteScan.firstIndex(of: needle, in: text, from: 7) == 7)
        #expect(ByteScan.firstIndex(of: needle, in: text, from: 8) == 28)
        #expect(ByteScan.firstIndex(of: Array("again".utf8), in: text) == text.count - 5)
        #expect(ByteScan.firstIndex(of: Array("data".utf8), in: text) == 0)
    }

    @Test("a prefix of the needle that breaks off is not a match, and the search goes on after it")
    func partialPrefix() {
        let bytes = Array("\"tool_call\" tool_calls\" \"tool_calls\"".utf8)
        #expect(ByteScan.firstIndex(of: needle, in: bytes) == 24)
    }

    @Test("nothing found: absent, needle longer than the bytes, empty needle, start at or past the end")
    func nothingFound() {
        #expect(ByteScan.firstIndex(of: Array("tool_call_id".utf8), in: text) == nil)
        #expect(ByteScan.firstIndex(of: text + [0x20], in: text) == nil)
        #expect(ByteScan.firstIndex(of: [], in: text) == nil)
        #expect(ByteScan.firstIndex(of: needle, in: text, from: text.count) == nil)
        #expect(ByteScan.firstIndex(of: needle, in: text, from: 29) == nil)
        #expect(ByteScan.firstIndex(of: needle, in: []) == nil)
    }

    @Test("bytes past the needle's first byte are compared, including zero bytes")
    func binaryBytes() {
        let bytes: [UInt8] = [0, 1, 0, 2, 0, 1, 0, 3]
        #expect(ByteScan.firstIndex(of: [0, 1, 0, 3], in: bytes) == 4)
        #expect(ByteScan.firstIndex(of: [0, 3], in: bytes) == 6)
    }
}
