import Testing

@testable import GatewaySchema

@Suite("SSE encoder")
struct SSEEncoderTests {
    @Test func encodesAllFields() {
        var bytes: [UInt8] = []
        SSEEncoder.encode(SSEEvent(event: "x", data: "a\nb", id: "7", retry: 100), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "event: x\nid: 7\nretry: 100\ndata: a\ndata: b\n\n")
    }

    @Test func encodesDataOnlyAndLineBreakVariants() {
        var bytes: [UInt8] = []
        SSEEncoder.encode(SSEEvent(data: "{}"), into: &bytes)
        SSEEncoder.encode(SSEEvent(data: ""), into: &bytes)
        SSEEncoder.encode(SSEEvent(data: "a\r\nb\rc\n"), into: &bytes)
        let expected = "data: {}\n\ndata: \n\ndata: a\ndata: b\ndata: c\ndata: \n\n"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test func fastPathAndDone() {
        var bytes = Array("x".utf8)
        SSEEncoder.data(Array(#"{"a":1}"#.utf8), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "xdata: {\"a\":1}\n\n")
        #expect(SSEEncoder.done == Array("data: [DONE]\n\n".utf8))
    }

    @Test func namedEventFastPath() throws {
        var bytes: [UInt8] = []
        SSEEncoder.event("response.created", data: Array(#"{"a":1}"#.utf8), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "event: response.created\ndata: {\"a\":1}\n\n")
        #expect(SSEEncoder.encodeForComparison("response.created", #"{"a":1}"#) == bytes)
    }

    @Test(arguments: 0..<100)
    func roundTripsThroughDecoder(seed: Int) throws {
        var generator = JSONValueGenerator(seed: UInt64(seed) &+ 1_000)
        var events: [SSEEvent] = []
        for _ in 0..<(1 + generator.int(5)) {
            // Data may contain "\n" (CR is normalized by the wire format, so it is excluded here).
            let data = generator.string().filter { $0 != "\r" && $0 != "\r\n" }
            let name = generator.int(2) == 0 ? nil : "type\(generator.int(10))"
            let id = generator.int(2) == 0 ? nil : "id-\(generator.int(1000))"
            let retry = generator.int(3) == 0 ? generator.int(60_000) : nil
            events.append(SSEEvent(event: name, data: data, id: id, retry: retry))
        }
        var bytes: [UInt8] = []
        for event in events { SSEEncoder.encode(event, into: &bytes) }
        let cut = generator.int(bytes.count + 1)
        #expect(try decodeSSE(bytes, cuts: [cut]) == events)
    }
}

extension SSEEncoder {
    /// The general encoder's output for one named event, to compare the fast path with.
    fileprivate static func encodeForComparison(_ name: String, _ data: String) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(SSEEvent(event: name, data: data), into: &bytes)
        return bytes
    }
}
