import Foundation
import GatewayAWS
import Testing

/// Every vector of Fixtures/eventstream/manifest.json (aws-sdk-js-v3 and botocore test vectors).
@Suite("Event-stream vectors")
struct EventStreamVectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var file: String
        var succeeds: Bool
        var headers: [EventStreamHeaders.Header]
        var payload: [UInt8]
        var testDescription: String { file }
    }

    static let vectors: [Vector] = {
        guard let manifest = try? FixtureFiles.json("eventstream/manifest.json") as? [String: Any],
            let cases = manifest["cases"] as? [[String: Any]]
        else { return [] }
        return cases.map { entry in
            let decoded = entry["decoded"] as? [String: Any]
            let headers = (decoded?["headers"] as? [[String: Any]] ?? []).map { header in
                EventStreamHeaders.Header(name: header["name"] as! String, value: headerValue(header))
            }
            let payload = (decoded?["payload_b64"] as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
            return Vector(
                file: entry["file"] as! String, succeeds: entry["expectation"] as! String == "success",
                headers: headers,
                payload: payload)
        }
    }()

    static func headerValue(_ header: [String: Any]) -> EventStreamHeaderValue {
        let value = header["value"]
        let number = (value as? NSNumber)?.int64Value ?? 0
        let bytes = (value as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
        switch header["type_name"] as! String {
        case "bool_true": return .bool(true)
        case "bool_false": return .bool(false)
        case "byte": return .byte(Int8(number))
        case "short": return .short(Int16(number))
        case "integer": return .int(Int32(number))
        case "long": return .long(number)
        case "byte_array": return .bytes(bytes)
        case "string": return .string(value as! String)
        case "timestamp": return .timestamp(number)
        case "uuid": return .uuid(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        default: fatalError("unknown header type in manifest")
        }
    }

    /// Decodes `bytes` fed in the given chunks, including `finish()`.
    static func decode(_ chunks: [ArraySlice<UInt8>]) throws -> [EventStreamMessage] {
        var decoder = EventStreamDecoder()
        var messages: [EventStreamMessage] = []
        for chunk in chunks { messages += try decoder.feed(chunk) }
        try decoder.finish()
        return messages
    }

    @Test func manifestCoversBothSuites() {
        #expect(Self.vectors.count == 25)
        #expect(Self.vectors.filter(\.succeeds).count == 16)
    }

    @Test(arguments: vectors.filter(\.succeeds))
    func decodesWholeSplitAndBytewise(_ vector: Vector) throws {
        let bytes = try FixtureFiles.bytes("eventstream/\(vector.file)")
        let expected = [EventStreamMessage(headers: EventStreamHeaders(vector.headers), payload: vector.payload)]
        #expect(try Self.decode([bytes[...]]) == expected)
        for split in 0...bytes.count {
            #expect(try Self.decode([bytes[..<split], bytes[split...]]) == expected, "split at \(split)")
        }
        #expect(try Self.decode(bytes.indices.map { bytes[$0...$0] }) == expected)
    }

    @Test(arguments: vectors.filter(\.succeeds))
    func encoderReproducesTheVectorBytes(_ vector: Vector) throws {
        let bytes = try FixtureFiles.bytes("eventstream/\(vector.file)")
        let message = try #require(try Self.decode([bytes[...]]).first)
        #expect(try EventStreamEncoder.encode(message) == bytes)
    }

    @Test(arguments: vectors.filter { !$0.succeeds })
    func rejectsCorruptedFramesHoweverTheyArrive(_ vector: Vector) throws {
        let bytes = try FixtureFiles.bytes("eventstream/\(vector.file)")
        #expect(throws: EventStreamError.self) { try Self.decode([bytes[...]]) }
        for split in 0...bytes.count {
            #expect(throws: EventStreamError.self, "split at \(split)") {
                try Self.decode([bytes[..<split], bytes[split...]])
            }
        }
        #expect(throws: EventStreamError.self) { try Self.decode(bytes.indices.map { bytes[$0...$0] }) }
    }

    /// A corrupted length fails as soon as the prelude is complete, not when (never) the declared length arrives.
    @Test(arguments: ["js-v3/corrupted_length.bin", "js-v3/corrupted_header_len.bin", "botocore/corrupted_length.bin"])
    func corruptedPreludeFailsAfterTwelveBytes(_ file: String) throws {
        let bytes = try FixtureFiles.bytes("eventstream/\(file)")
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(bytes[..<11]).isEmpty)
        #expect {
            _ = try decoder.feed(bytes[11..<12])
        } throws: { error in
            if case .preludeChecksumMismatch = error as? EventStreamError { return true }
            return false
        }
    }

    @Test func duplicateHeaderIsNamed() throws {
        let bytes = try FixtureFiles.bytes("eventstream/botocore/duplicate_header.bin")
        var decoder = EventStreamDecoder()
        #expect {
            _ = try decoder.feed(bytes)
        } throws: { error in
            if case .duplicateHeader = error as? EventStreamError { return true }
            return false
        }
    }

    @Test func allHeaderTypesDecodeToTheirTypedValues() throws {
        let message = try #require(
            try Self.decode([try FixtureFiles.bytes("eventstream/js-v3/all_headers.bin")[...]]).first)
        #expect(message.headers["event-type"] == .int(40972))
        #expect(message.headers.string("content-type") == "application/json")
        #expect(message.headers["bool false"] == .bool(false))
        #expect(message.headers["bool true"] == .bool(true))
        #expect(message.headers["byte"] == .byte(-49))
        #expect(message.headers["byte buf"] == .bytes(Array("I'm a little teapot!".utf8)))
        #expect(message.headers["timestamp"] == .timestamp(8_675_309))
        #expect(message.headers["int16"] == .short(42))
        #expect(message.headers["int64"] == .long(42_424_242))
        #expect(message.headers["uuid"]?.uuidBytes == Array(1...16))
        #expect(message.headers["missing"] == nil)
        #expect(message.headers.map(\.name).first == "event-type")
    }

    @Test func errorMessageHelpers() throws {
        let message = try #require(
            try Self.decode([try FixtureFiles.bytes("eventstream/botocore/error_event_message.bin")[...]]).first)
        #expect(message.messageType == "error")
        #expect(message.errorCode == "code")
        #expect(message.errorMessage == "message")
        #expect(message.eventType == nil)
    }
}
