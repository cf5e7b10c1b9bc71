import GatewayAWS
import Testing

@Suite("Event-stream decoder behaviour")
struct EventStreamDecoderTests {
    static let sample = EventStreamMessage(
        headers: [":message-type": .string("event"), ":event-type": .string("chunk"), "n": .long(-7)],
        payload: Array(#"{"bytes":"eyJ9"}"#.utf8))

    @Test func severalMessagesInOneChunkAndAcrossChunks() throws {
        let one = try EventStreamEncoder.encode(Self.sample)
        var other = Self.sample
        other.headers[":event-type"] = .string("other")
        other.payload = []
        let two = try EventStreamEncoder.encode(other)
        let stream = one + two + one
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(stream[..<(one.count + 3)]) == [Self.sample])
        #expect(decoder.bufferedByteCount == 3)
        #expect(try decoder.feed(stream[(one.count + 3)...]) == [other, Self.sample])
        #expect(decoder.bufferedByteCount == 0)
        try decoder.finish()
    }

    @Test func truncatedStreamFailsAtFinish() throws {
        let bytes = try EventStreamEncoder.encode(Self.sample)
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(bytes.dropLast()).isEmpty)
        #expect(throws: EventStreamError.truncated(bufferedBytes: bytes.count - 1)) { try decoder.finish() }
    }

    @Test func messagesBeforeACorruptionAreDeliveredThenTheErrorSticks() throws {
        let good = try EventStreamEncoder.encode(Self.sample)
        var bad = good
        bad[bad.count - 6] ^= 0x01
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(good + bad) == [Self.sample])
        #expect(throws: EventStreamError.self) { try decoder.feed(good) }
        #expect(throws: EventStreamError.self) { try decoder.finish() }
    }

    @Test func oversizedMessageIsRejectedFromItsPrelude() throws {
        let big = EventStreamMessage(payload: Array(repeating: 0x61, count: 2000))
        let bytes = try EventStreamEncoder.encode(big)
        var decoder = EventStreamDecoder(maxMessageSize: 1024)
        #expect(throws: EventStreamError.messageTooLarge(size: bytes.count, limit: 1024)) {
            _ = try decoder.feed(bytes[..<12])
        }
        var roomy = EventStreamDecoder(maxMessageSize: 4096)
        #expect(try roomy.feed(bytes) == [big])
        #expect(EventStreamDecoder.defaultMaxMessageSize == 16 * 1024 * 1024)
    }

    @Test func encoderRefusesWhatTheFormatCannotCarry() {
        #expect(throws: EventStreamError.self) {
            try EventStreamEncoder.encode(EventStreamMessage(headers: ["": .bool(true)]))
        }
        #expect(throws: EventStreamError.self) {
            try EventStreamEncoder.encode(
                EventStreamMessage(headers: [String(repeating: "n", count: 256): .bool(true)]))
        }
        #expect(throws: EventStreamError.self) {
            try EventStreamEncoder.encode(
                EventStreamMessage(headers: ["s": .string(String(repeating: "x", count: 65_536))]))
        }
    }

    @Test func everyHeaderTypeRoundTrips() throws {
        let message = EventStreamMessage(
            headers: [
                "t": .bool(true), "f": .bool(false), "b": .byte(-128), "s": .short(-32768), "i": .int(.min),
                "l": .long(.max), "bytes": .bytes([0, 255]), "str": .string("é日本"), "ts": .timestamp(-1),
                "u": .uuid(UInt128.max - 1),
            ], payload: [1, 2, 3])
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(try EventStreamEncoder.encode(message)) == [message])
    }

    @Test func crc32MatchesTheIEEECheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var split = CRC32()
        split.update(Array("1234".utf8))
        split.update(Array("56789".utf8))
        #expect(split.value == 0xCBF4_3926)
    }
}
