import GatewayCore
import GatewaySchema
import NIOCore

/// Deterministic audio for the mock provider: speech is a WAV of silence, 50 ms per input character, sent in
/// 16 KiB chunks `stream_delay_ms` apart; a
/// transcript says how many bytes of which audio type it heard, in the requested `response_format`.
extension MockProvider {
    /// Samples per input character at the mock's 8 kHz.
    static let samplesPerCharacter = 400

    public func speech(_ call: ProviderCall) async throws -> AudioStream {
        guard let input = call.body["input"]?.stringValue, !input.isEmpty else {
            throw ProviderError(.badRequest, message: "'input' is required")
        }
        let characters = min(input.count, 4096)
        let wav = WAVAudio.silence(samples: characters * Self.samplesPerCharacter)
        let delay = streamDelay
        return AudioStream(contentType: "audio/wav") { write in
            var offset = 0
            while offset < wav.count {
                // Paced like the mock's text streams (`stream_delay_ms` between 16 KiB chunks).
                if offset > 0, delay > .zero { try await Task.sleep(for: delay) }
                let end = min(offset + 16 * 1024, wav.count)
                try await write(ByteBuffer(bytes: wav[offset..<end]))
                offset = end
            }
        }
    }

    public func transcribe(_ call: ProviderCall) async throws -> MediaResult {
        guard let file = call.upload?.file else {
            throw ProviderError(.badRequest, message: "the request has no audio file")
        }
        let type = file.contentType ?? AudioFormat.contentType(forFilename: file.filename ?? "")
        let translate = call.endpoint == .translations
        let text = "\(translate ? "translated" : "transcribed") \(file.size) bytes of \(type)"
        let duration = WAVAudio.duration(of: file.data, size: file.size) ?? Double(file.size) / 16000
        return MockTranscript(
            text: text, duration: duration, task: translate ? "translate" : "transcribe",
            language: translate ? "english" : call.body["language"]?.stringValue ?? "english",
            words: call.body["timestamp_granularities"]?.arrayValue?.contains("word") ?? false
        ).render(call.body["response_format"]?.stringValue ?? "json")
    }
}

/// One transcript in OpenAI's response formats: `json`, `text`, `srt`, `vtt`, `verbose_json`.
struct MockTranscript {
    var text: String
    var duration: Double
    var task: String
    var language: String
    var words: Bool

    func render(_ format: String) -> MediaResult {
        let end = Self.timestamp(duration, separator: format == "srt" ? "," : ".")
        switch format {
        case "text": return MediaResult(contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
        case "srt":
            return MediaResult(
                contentType: "text/plain; charset=utf-8", body: Array("1\n00:00:00,000 --> \(end)\n\(text)\n\n".utf8))
        case "vtt":
            return MediaResult(
                contentType: "text/vtt; charset=utf-8",
                body: Array("WEBVTT\n\n00:00:00.000 --> \(end)\n\(text)\n\n".utf8))
        case "verbose_json":
            let seconds = JSONValue.number(JSONNumber(duration))
            var object: JSONObject = [
                "task": .string(task), "language": .string(language), "duration": seconds, "text": .string(text),
                "segments": [
                    [
                        "id": 0, "seek": 0, "start": 0, "end": seconds, "text": .string(text), "tokens": [],
                        "temperature": 0, "avg_logprob": 0, "compression_ratio": 1, "no_speech_prob": 0,
                    ]
                ],
            ]
            if words {
                let pieces = text.split(separator: " ")
                let step = duration / Double(max(1, pieces.count))
                object["words"] = .array(
                    pieces.enumerated().map { index, word in
                        [
                            "word": .string(String(word)), "start": .number(JSONNumber(step * Double(index))),
                            "end": .number(JSONNumber(step * Double(index + 1))),
                        ]
                    })
            }
            return MediaResult(contentType: "application/json", body: JSONValue.object(object).serialized())
        default:
            return MediaResult(
                contentType: "application/json", body: JSONValue.object(["text": .string(text)]).serialized())
        }
    }

    /// `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT).
    static func timestamp(_ seconds: Double, separator: String) -> String {
        let millis = Int((seconds * 1000).rounded())
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return
            "\(pad(millis / 3_600_000, 2)):\(pad(millis / 60_000 % 60, 2)):\(pad(millis / 1000 % 60, 2))\(separator)\(pad(millis % 1000, 3))"
    }
}
