import Testing

@testable import GatewaySchema

/// Feeds `bytes` as chunks cut at `cuts` (sorted offsets) and returns all events including `finish()`.
func decodeSSE(_ bytes: [UInt8], cuts: [Int] = [], maxEventBytes: Int = 1 << 20) throws -> [SSEEvent] {
    var decoder = SSEDecoder(maxEventBytes: maxEventBytes)
    var events: [SSEEvent] = []
    var start = 0
    for cut in cuts + [bytes.count] {
        events += try decoder.feed(bytes[start..<cut])
        start = cut
    }
    return events + decoder.finish()
}

@Suite("SSE decoder")
struct SSEDecoderTests {
    static let mixedStream: [UInt8] =
        [0xEF, 0xBB, 0xBF]
        + Array(
            (": comment line\n"
                + "data: first\n\n"
                + "event: update\r\ndata: multi\r\ndata:line\r\nid: 7\r\n\r\n"
                + "data: cr only\rdata:  two spaces\r\r"
                + "retry: 1500\ndata: é日本🎉\n\n"
                + "event: ping\n\n"
                + "data\n\n"
                + "unknown: x\ndata: after unknown\n:another comment\n\n"
                + "data: unterminated").utf8)

    static let mixedExpected: [SSEEvent] = [
        SSEEvent(data: "first"),
        SSEEvent(event: "update", data: "multi\nline", id: "7"),
        SSEEvent(data: "cr only\n two spaces"),
        SSEEvent(data: "é日本🎉", retry: 1500),
        SSEEvent(data: ""),
        SSEEvent(data: "after unknown"),
    ]

    @Test func decodesWholeStream() throws {
        #expect(try decodeSSE(Self.mixedStream) == Self.mixedExpected)
    }

    @Test func identicalResultsForEverySplitPoint() throws {
        let bytes = Self.mixedStream
        for cut in 0...bytes.count {
            #expect(try decodeSSE(bytes, cuts: [cut]) == Self.mixedExpected, "cut at \(cut)")
        }
    }

    @Test func identicalResultsForEveryPairOfSplitPoints() throws {
        let bytes = Self.mixedStream
        for first in stride(from: 0, through: bytes.count, by: 3) {
            for second in stride(from: first, through: bytes.count, by: 5) {
                #expect(try decodeSSE(bytes, cuts: [first, second]) == Self.mixedExpected)
            }
        }
    }

    @Test func byteByByte() throws {
        let bytes = Self.mixedStream
        #expect(try decodeSSE(bytes, cuts: Array(0..<bytes.count)) == Self.mixedExpected)
    }

    @Test func crlfSplitBetweenCRAndLF() throws {
        let bytes = Array("data: a\r\n\r\ndata: b\r\n\r\n".utf8)
        let expected = [SSEEvent(data: "a"), SSEEvent(data: "b")]
        for cut in 0...bytes.count {
            #expect(try decodeSSE(bytes, cuts: [cut]) == expected)
        }
        // An empty chunk between "\r" and "\n" must not lose the pending CR state.
        var decoder = SSEDecoder()
        var events = try decoder.feed(Array("data: a\r".utf8))
        events += try decoder.feed([UInt8]())
        events += try decoder.feed(Array("\n\r\n".utf8))
        #expect(events == [SSEEvent(data: "a")])
    }

    @Test func bomOnlySkippedAtStreamStart() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try decodeSSE(bom + Array("data: x\n\n".utf8)) == [SSEEvent(data: "x")])
        // A BOM later in the stream is not stripped, so the field name no longer matches "data".
        #expect(try decodeSSE(Array("data: x\n\n".utf8) + bom + Array("data: y\n\n".utf8)) == [SSEEvent(data: "x")])
        for cut in 0...4 {
            #expect(try decodeSSE(bom + Array("data: x\n\n".utf8), cuts: [cut]) == [SSEEvent(data: "x")])
        }
    }

    @Test func retryRules() throws {
        let input =
            "retry: 10\ndata: a\n\nretry: 1a\ndata: b\n\nretry:\ndata: c\n\nretry: -1\ndata: d\n\n"
            + "retry:  5\ndata: e\n\nretry:99999999999999999999999\ndata: f\n\n"
        let events = try decodeSSE(Array(input.utf8))
        #expect(events.map(\.retry) == [10, nil, nil, nil, nil, nil])
        #expect(events.map(\.data) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func idRules() throws {
        let input = "id: 1\ndata: a\n\ndata: b\n\nid: x\u{0}y\ndata: c\n\nid\ndata: d\n\n"
        let events = try decodeSSE(Array(input.utf8))
        #expect(events.map(\.id) == ["1", nil, nil, ""])
    }

    @Test func eventFieldRules() throws {
        let input = "event: only\n\nevent: typed\ndata: x\n\nevent:\ndata: y\n\ndata: z\n\n"
        let events = try decodeSSE(Array(input.utf8))
        #expect(events == [SSEEvent(event: "typed", data: "x"), SSEEvent(data: "y"), SSEEvent(data: "z")])
    }

    @Test func colonHandling() throws {
        let input = "data:no space\n\ndata:  leading\n\ndata: a:b: c\n\ndata:\n\n"
        let events = try decodeSSE(Array(input.utf8))
        #expect(events.map(\.data) == ["no space", " leading", "a:b: c", ""])
    }

    @Test func multiLineDataAndEmptyLines() throws {
        let input = "data\ndata\n\ndata: x\ndata:\ndata: y\n\n"
        let events = try decodeSSE(Array(input.utf8))
        #expect(events.map(\.data) == ["\n", "x\n\ny"])
    }

    @Test func finishDiscardsUnterminatedEvent() throws {
        var decoder = SSEDecoder()
        #expect(try decoder.feed(Array("data: complete\n\ndata: partial\n".utf8)) == [SSEEvent(data: "complete")])
        #expect(decoder.finish() == [])
        // The decoder is reset by finish() and can decode a new stream.
        #expect(try decoder.feed(Array("data: next\n\n".utf8)) == [SSEEvent(data: "next")])
    }

    @Test func invalidUTF8IsReplaced() throws {
        let bytes: [UInt8] = Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8)
        #expect(try decodeSSE(bytes) == [SSEEvent(data: "a\u{FFFD}b")])
    }

    @Test func maxEventBytes() throws {
        var decoder = SSEDecoder(maxEventBytes: 16)
        #expect(throws: SSEDecodeError.self) {
            try decoder.feed(Array("data: ok\n\ndata: 0123456789abcdef\n\ndata: fine\n\n".utf8))
        }
        // The other events of the failing chunk are handed out by the next call; decoding then resumes.
        let resumed = try decoder.feed(Array("data: again\n\n".utf8))
        #expect(resumed == [SSEEvent(data: "ok"), SSEEvent(data: "fine"), SSEEvent(data: "again")])
        var viaFinish = SSEDecoder(maxEventBytes: 16)
        #expect(throws: SSEDecodeError.self) { try viaFinish.feed(Array("data: 0123456789abcdef\n\ndata: a\n\n".utf8)) }
        #expect(viaFinish.finish() == [SSEEvent(data: "a")])

        var multiLine = SSEDecoder(maxEventBytes: 16)
        #expect(throws: SSEDecodeError.self) {
            try multiLine.feed(Array("data: 0123456\ndata: 0123456\ndata: x\n\n".utf8))
        }
        #expect(try multiLine.feed(Array("data: ok\n\n".utf8)) == [SSEEvent(data: "ok")])

        // An oversized line arriving in small chunks fails before it is fully buffered,
        // and the rest of that event is skipped.
        var chunked = SSEDecoder(maxEventBytes: 16)
        #expect(try chunked.feed(Array("data: 01234".utf8)) == [])
        var thrown: SSEDecodeError?
        do {
            _ = try chunked.feed(Array("56789abcdef".utf8))
        } catch {
            thrown = error
        }
        #expect(thrown?.message.contains("16") == true)
        let rest = Array("ghij\ndata: more of the big event\n\ndata: ok\n\n".utf8)
        #expect(try chunked.feed(rest) == [SSEEvent(data: "ok")])
        #expect(chunked.finish() == [])
    }

    @Test func openAIStream() throws {
        let payloads = [
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"}}]}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{"content":"lo \"wörld\" 🎉\n"}}]}"#,
            #"{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        ]
        var stream: [UInt8] = []
        for payload in payloads { SSEEncoder.data(Array(payload.utf8), into: &stream) }
        stream += SSEEncoder.done
        #expect(stream.suffix(14) == Array("data: [DONE]\n\n".utf8))
        for cut in stride(from: 0, through: stream.count, by: 7) {
            let events = try decodeSSE(stream, cuts: [cut])
            #expect(events.map(\.data) == payloads + ["[DONE]"])
        }
        var content = ""
        for event in try decodeSSE(stream) where event.data != "[DONE]" {
            let chunk = try JSONParser.parse(event.data)
            if let delta = chunk["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue {
                content += delta
            }
        }
        #expect(content == "Hello \"wörld\" 🎉\n")
    }

    @Test func nonContiguousInput() throws {
        var decoder = SSEDecoder()
        let bytes = Array("data: lazy\n\n".utf8)
        #expect(try decoder.feed(bytes.lazy.map { $0 }) == [SSEEvent(data: "lazy")])
        let raw = try bytes.withUnsafeBytes { try decoder.feed($0) }
        #expect(raw == [SSEEvent(data: "lazy")])
        #expect(try decoder.feed(bytes[...]) == [SSEEvent(data: "lazy")])
    }
}
