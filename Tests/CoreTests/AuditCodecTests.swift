import Foundation
import GatewaySchema
import Testing

@testable import GatewayCore

@Suite struct AuditCodecTests {
    let event = AuditEvent(
        requestID: "req_1", timestamp: Date(timeIntervalSince1970: 1_800_000_000.123), tenant: "acme", keyID: "key_1",
        keyLabel: "prod \"eu\"", method: "POST", path: "/v1/chat/completions", alias: "fast", provider: "openai",
        providerModel: "gpt-5.4",
        attempts: [
            .init(
                provider: "openai_compatible:x", model: "m", keyID: "a1", endpoint: "chat/completions",
                result: "upstream_server_error", httpStatus: 503, latencyMs: 12.5),
            .init(
                provider: "openai", model: "gpt-5.4", keyID: nil, endpoint: "chat/completions", result: "ok",
                httpStatus: 200, latencyMs: 0.042),
        ], stream: true, outcome: .streamError, httpStatus: 200, errorCode: "upstream_stream_error",
        latencyMs: 1500.001,
        timeToFirstByteMs: 0.5, promptTokens: 10, completionTokens: 0, cachedTokens: nil)

    @Test func roundTripsEveryField() throws {
        let decoded = try AuditCodec.decode(try AuditCodec.encode(event))
        #expect(decoded == event)
    }

    @Test func writesTheDocumentedSnakeCaseShape() throws {
        let json = try JSONParser.parse(try AuditCodec.encode(event))
        #expect(json["request_id"] == "req_1")
        #expect(json["timestamp"] == 1_800_000_000_123)
        #expect(json["latency_ms"]?.doubleValue == 1500.001)
        #expect(json["attempts"]?.arrayValue?[1]["latency_ms"]?.doubleValue == 0.042)
        #expect(json["cached_tokens"] == .null)
        #expect(json["outcome"] == "stream_error")
    }

    /// Written field by field, the event must still be the serializer's compact form of itself (escapes, numbers,
    /// key order), so that every backend stores the same text.
    @Test func isTheSerializersCanonicalText() throws {
        var full = event
        full.keyLabel = "tab\there \"quoted\" back\\slash \u{1} é 😀"
        full.media = AuditEvent.MediaUnits(imageCount: 1, imageSize: "1024x1024", audioSeconds: 2.25)
        full.embedding = AuditEvent.EmbeddingUse(provider: "openai", model: "text-embedding-3-small", tokens: 7)
        full.cacheCreationTokens = 3
        full.reasoningTokens = 4
        full.cost = USD("0.0000002625")
        full.unpricedReason = "no price for x"
        full.timeToFirstByteMs = nil
        full.latencyMs = -0.0004
        for value in [event, full] {
            let bytes = try AuditCodec.encode(value)
            #expect(try JSONParser.parse(bytes).serialized() == bytes)
        }
        let json = try JSONParser.parse(try AuditCodec.encode(full))
        #expect(json["key_label"]?.stringValue == full.keyLabel)
        #expect(json["ttfb_ms"] == .null)
        #expect(json["latency_ms"] == 0)
        #expect(json["cost_usd"]?.doubleValue == 0.0000002625)
        #expect(try AuditCodec.decode(try AuditCodec.encode(full)).keyLabel == full.keyLabel)
    }

    @Test func mediaUnitsRoundTripAndAreAbsentOtherwise() throws {
        var media = event
        media.media = AuditEvent.MediaUnits(imageCount: 2, imageSize: "1024x1024", imageQuality: "hd")
        let json = try JSONParser.parse(try AuditCodec.encode(media))
        #expect(json["image_count"] == 2)
        #expect(json["image_size"] == "1024x1024")
        #expect(json["image_quality"] == "hd")
        #expect(json["speech_characters"] == nil)
        #expect(try AuditCodec.decode(try AuditCodec.encode(media)) == media)
        media.media = AuditEvent.MediaUnits(speechCharacters: 12, audioSeconds: 1.5)
        #expect(try AuditCodec.decode(try AuditCodec.encode(media)) == media)
        #expect(try JSONParser.parse(try AuditCodec.encode(event))["image_count"] == nil)
    }

    @Test func rejectsIncompleteEvents() {
        #expect(throws: AuditCodec.DecodeError.self) { try AuditCodec.decode(Array(#"{"request_id":"x"}"#.utf8)) }
        #expect(throws: AuditCodec.DecodeError.self) { try AuditCodec.decode(Array("not json".utf8)) }
    }
}

@Suite struct AuditRecorderTests {
    @Test func theOutcomeNamesTheCauseAndAnEventIsBuiltOnce() throws {
        let served = AuditRecorder(requestID: "req_1")
        #expect(try #require(served.finish(httpStatus: 200, clientDisconnected: false)).outcome == .success)
        #expect(served.finish(httpStatus: 200, clientDisconnected: false) == nil)

        let left = AuditRecorder(requestID: "req_2")
        let leftEvent = try #require(left.finish(httpStatus: 200, clientDisconnected: true))
        #expect(leftEvent.outcome == .clientDisconnect)
        #expect(leftEvent.errorCode == "client_disconnect")

        // A stream that failed and then dropped the connection (raw audio cannot carry an error event).
        let failed = AuditRecorder(requestID: "req_3")
        failed.update {
            $0.streamFailed = true
            $0.errorCode = "server_shutting_down"
        }
        let failedEvent = try #require(failed.finish(httpStatus: 200, clientDisconnected: true))
        #expect(failedEvent.outcome == .streamError)
        #expect(failedEvent.errorCode == "server_shutting_down")

        let rejected = AuditRecorder(requestID: "req_4")
        #expect(try #require(rejected.finish(httpStatus: 429, clientDisconnected: false)).outcome == .error)

        // Handed off to another process: this one never emits.
        let handedOff = AuditRecorder(requestID: "req_5")
        handedOff.handOff()
        #expect(handedOff.finish(httpStatus: 200, clientDisconnected: false) == nil)
    }
}
