import Foundation
import HTTPTypes
import Hummingbird

/// `POST /v1/audio/transcriptions` and `/v1/audio/translations`: a multipart upload; the transcript names the
/// model, the task and the file's size; `duration` comes from a WAV header (else 1 s per 16 000 bytes). Every
/// `response_format` OpenAI has: `json`, `text`, `srt`, `verbose_json`, `vtt`. With `stream=true` the transcript
/// comes as OpenAI streams it: `transcript.text.delta` events (one per word, 30 ms apart), then
/// `transcript.text.done` with the whole text and token usage.
struct FakeTranscriptions {
    let translate: Bool

    func respond(contentType: String, body: [UInt8]) async -> Response {
        guard let form = FakeMultipart(contentType: contentType, body: body) else {
            return ErrorEnvelope.response(
                status: 400, message: "Expected a multipart/form-data body.", type: "invalid_request_error")
        }
        guard let model = form.field("model"), !model.isEmpty else {
            return ErrorEnvelope.response(
                status: 400, message: "you must provide a model parameter", type: "invalid_request_error",
                param: "model")
        }
        let behavior = ModelBehavior(model: model)
        if let status = behavior.forcedStatus { return ErrorEnvelope.forcedStatus(status) }
        guard let file = form.file, !file.data.isEmpty else {
            return ErrorEnvelope.response(
                status: 400, message: "'file' is required.", type: "invalid_request_error", param: "file")
        }
        let duration = Self.wavDuration(file.data) ?? Double(file.data.count) / 16000
        let text =
            "\(translate ? "Translated" : "Transcribed") \(file.data.count) bytes of \(file.filename ?? "audio") with \(model)."
        if form.field("stream") == "true" { return Self.streamed(text) }
        let format = form.field("response_format") ?? "json"
        let end = String(
            format: "%02d:%02d:%06.3f", Int(duration) / 3600, Int(duration) / 60 % 60,
            duration.truncatingRemainder(dividingBy: 60))
        switch format {
        case "text":
            return Self.plain(text + "\n", type: "text/plain; charset=utf-8")
        case "srt":
            let srtEnd = end.replacingOccurrences(of: ".", with: ",")
            return Self.plain("1\n00:00:00,000 --> \(srtEnd)\n\(text)\n\n", type: "text/plain; charset=utf-8")
        case "vtt":
            return Self.plain("WEBVTT\n\n00:00:00.000 --> \(end)\n\(text)\n\n", type: "text/vtt; charset=utf-8")
        case "verbose_json":
            var json = JSONText(capacity: 512)
            json.raw("{\"task\":")
            json.string(translate ? "translate" : "transcribe")
            json.raw(",\"language\":")
            json.string(translate ? "english" : (form.field("language") ?? "english"))
            json.raw(",\"duration\":\(duration),\"text\":")
            json.string(text)
            json.raw(",\"segments\":[{\"id\":0,\"seek\":0,\"start\":0.0,\"end\":\(duration),\"text\":")
            json.string(text)
            json.raw(
                ",\"tokens\":[],\"temperature\":0.0,\"avg_logprob\":-0.1,\"compression_ratio\":1.0,\"no_speech_prob\":0.0}]}"
            )
            return JSONResponse.ok(json.byteBuffer)
        default:
            var json = JSONText(capacity: 256)
            json.raw("{\"text\":")
            json.string(text)
            json.raw("}")
            return JSONResponse.ok(json.byteBuffer)
        }
    }

    static func streamed(_ text: String) -> Response {
        var events = ServerSentEvents()
        let words = text.split(separator: " ")
        for (index, word) in words.enumerated() {
            var json = JSONText(capacity: 96)
            json.raw("{\"type\":\"transcript.text.delta\",\"delta\":")
            json.string(index == 0 ? String(word) : " " + word)
            json.raw("}")
            events.append(json)
        }
        var done = JSONText(capacity: 256)
        done.raw("{\"type\":\"transcript.text.done\",\"text\":")
        done.string(text)
        done.raw(
            ",\"usage\":{\"type\":\"tokens\",\"input_tokens\":20,\"output_tokens\":\(words.count),\"total_tokens\":\(20 + words.count)}}"
        )
        events.append(done)
        return events.response(delayMilliseconds: 30)
    }

    static func plain(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The duration of a PCM WAV file (byte rate from `fmt `, size of `data`).
    static func wavDuration(_ bytes: [UInt8]) -> Double? {
        guard bytes.count >= 44, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8)
        else { return nil }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var position = 12
        var byteRate = 0
        while position + 8 <= bytes.count {
            let size = u32(position + 4)
            if bytes[position..<position + 4].elementsEqual("fmt ".utf8) { byteRate = u32(position + 16) }
            if bytes[position..<position + 4].elementsEqual("data".utf8), byteRate > 0 {
                return Double(size) / Double(byteRate)
            }
            position += 8 + size + (size & 1)
        }
        return nil
    }
}
