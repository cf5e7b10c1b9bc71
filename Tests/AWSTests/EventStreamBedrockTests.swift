import Foundation
import GatewayAWS
import Testing

/// The Bedrock recordings decode to the message sequence botocore parsed (Fixtures/bedrock).
@Suite("Event-stream Bedrock recordings")
struct EventStreamBedrockTests {
    static let files = [
        "converse-stream-text-tooluse.eventstream", "converse-stream-throttled-midstream.eventstream",
        "invoke-with-response-stream-anthropic.eventstream",
    ]

    static func expectations(_ file: String) throws -> [[String: Any]] {
        let all = try #require(try FixtureFiles.json("bedrock/botocore-parsed-expectations.json") as? [String: Any])
        return try #require(all[file] as? [[String: Any]])
    }

    static func jsonObject(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test(arguments: files)
    func decodesToBotocoresEvents(_ file: String) throws {
        let bytes = try FixtureFiles.bytes("bedrock/\(file)")
        var decoder = EventStreamDecoder()
        let messages = try decoder.feed(bytes)
        try decoder.finish()
        let expected = try Self.expectations(file)
        try #require(messages.count == expected.count)
        for (message, event) in zip(messages, expected) {
            #expect(message.contentType == "application/json")
            if let error = event["__error__"] as? String {
                #expect(error == "EventStreamError")
                let detail = try #require(event["detail"] as? String)
                #expect(message.messageType == "exception")
                let type = try #require(message.exceptionType)
                #expect(detail.contains("(\(type))"))
                let text = try #require(try Self.jsonObject(message.payload)["message"] as? String)
                #expect(detail.hasSuffix(": \(text)"))
                continue
            }
            #expect(message.messageType == "event")
            let name = try #require(event.keys.first)
            #expect(event.count == 1 && message.eventType == name)
            let payload = try Self.jsonObject(message.payload).mutableCopy() as! NSMutableDictionary
            payload.removeObject(forKey: "p")
            if name == "chunk" {
                let chunk = try #require(event["chunk"] as? [String: Any])
                #expect(payload["bytes"] as? String == chunk["bytes"] as? String)
                let inner = try #require(Data(base64Encoded: payload["bytes"] as? String ?? ""))
                #expect(try Self.jsonObject(Array(inner)) == (chunk["bytes_decoded"] as? NSDictionary))
            } else {
                #expect(payload == (event[name] as? NSDictionary))
            }
        }
    }

    @Test(arguments: files)
    func sameMessagesWhenSplitAnywhere(_ file: String) throws {
        let bytes = try FixtureFiles.bytes("bedrock/\(file)")
        var whole = EventStreamDecoder()
        let expected = try whole.feed(bytes)
        for split in stride(from: 0, through: bytes.count, by: 1) {
            var decoder = EventStreamDecoder()
            let messages = try decoder.feed(bytes[..<split]) + decoder.feed(bytes[split...])
            #expect(messages == expected, "split at \(split)")
        }
        var bytewise = EventStreamDecoder()
        var messages: [EventStreamMessage] = []
        for byte in bytes { messages += try bytewise.feed(CollectionOfOne(byte)) }
        #expect(messages == expected)
        #expect(try expected.flatMap { try EventStreamEncoder.encode($0) } == bytes, "re-encoding is byte-identical")
    }
}
