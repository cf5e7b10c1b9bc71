import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /v1/audio/speech`: deterministic audio whose length grows with the input, sent in several chunks.
/// `wav` (and `pcm`) is real silence; the other formats start with their format's magic bytes (`ID3` for mp3,
/// `fLaC`, `OggS` for opus, an ADTS sync word for aac) followed by zeros.
struct FakeSpeech {
    static let contentTypes = [
        "mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac", "flac": "audio/flac", "wav": "audio/wav",
        "pcm": "audio/pcm",
    ]

    func respond(to request: SpeechRequest) -> Response {
        let format = request.response_format ?? "mp3"
        guard let contentType = Self.contentTypes[format] else {
            return ErrorEnvelope.response(
                status: 400, message: "Invalid 'response_format'.", type: "invalid_request_error",
                param: "response_format")
        }
        let audio = Self.audio(format: format, characters: request.input.count)
        return Response(
            status: .ok, headers: [.contentType: contentType],
            body: ResponseBody { writer in
                var offset = 0
                while offset < audio.count {
                    let end = min(offset + 4096, audio.count)
                    try await writer.write(ByteBuffer(bytes: audio[offset..<end]))
                    offset = end
                }
                try await writer.finish(nil)
            })
    }

    static func audio(format: String, characters: Int) -> [UInt8] {
        let samples = 800 * max(1, characters)
        let magic: [UInt8]
        switch format {
        case "wav": return wav(samples: samples)
        case "pcm": return [UInt8](repeating: 0, count: samples * 2)
        case "mp3": magic = Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0]
        case "flac": magic = Array("fLaC".utf8)
        case "opus": magic = Array("OggS".utf8)
        default: magic = [0xFF, 0xF1]
        }
        return magic + [UInt8](repeating: 0, count: samples)
    }

    /// 16-bit mono PCM WAV of silence at 24 kHz.
    static func wav(samples: Int) -> [UInt8] {
        var out: [UInt8] = Array("RIFF".utf8)
        func u32(_ value: Int) {
            for shift in [0, 8, 16, 24] { out.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        func u16(_ value: Int) { for shift in [0, 8] { out.append(UInt8(truncatingIfNeeded: value >> shift)) } }
        u32(36 + samples * 2)
        out += Array("WAVEfmt ".utf8)
        u32(16)
        u16(1)
        u16(1)
        u32(24000)
        u32(48000)
        u16(2)
        u16(16)
        out += Array("data".utf8)
        u32(samples * 2)
        return out + [UInt8](repeating: 0, count: samples * 2)
    }
}
