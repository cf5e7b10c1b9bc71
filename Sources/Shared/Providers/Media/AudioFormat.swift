/// Audio formats by OpenAI's `response_format` names and file extensions, and their media types.
public enum AudioFormat {
    /// The media type of a speech `response_format` (`mp3` when absent).
    public static func contentType(forSpeechFormat format: String?) -> String {
        switch format ?? "mp3" {
        case "mp3": return "audio/mpeg"
        case "opus": return "audio/opus"
        case "aac": return "audio/aac"
        case "flac": return "audio/flac"
        case "wav": return "audio/wav"
        case "pcm": return "audio/pcm"
        default: return "application/octet-stream"
        }
    }

    /// The media type of an uploaded file, from its extension.
    public static func contentType(forFilename filename: String) -> String {
        let ext = filename.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "mp3", "mpga", "mpeg": return "audio/mpeg"
        case "mp4", "m4a": return "audio/mp4"
        case "wav": return "audio/wav"
        case "webm": return "audio/webm"
        case "ogg", "oga": return "audio/ogg"
        case "flac": return "audio/flac"
        default: return "application/octet-stream"
        }
    }
}

extension AudioFormat {
    /// The speech `response_format` name of a media type, if it is one.
    public static func speechFormat(forContentType contentType: String) -> String? {
        let type = contentType.split(separator: ";").first.map { $0.lowercased() } ?? ""
        switch type {
        case "audio/mpeg", "audio/mp3": return "mp3"
        case "audio/opus", "audio/ogg": return "opus"
        case "audio/aac": return "aac"
        case "audio/flac": return "flac"
        case "audio/wav", "audio/x-wav", "audio/wave": return "wav"
        case "audio/pcm", "audio/l16": return "pcm"
        default: return nil
        }
    }
}
