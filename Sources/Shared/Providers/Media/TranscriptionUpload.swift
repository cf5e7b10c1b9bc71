import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The two ways a client can send audio to `/v1/audio/transcriptions` and `/v1/audio/translations`: OpenAI's
/// multipart form, or the gateway's JSON variant `{"audio": "<base64>", "filename": "a.mp3", "model": …}`,
/// which becomes the same form (other fields as text fields, arrays as repeated `name[]` fields).
public enum TranscriptionUpload {
    /// Why an upload is unusable; `param` names the field.
    public struct Invalid: Error, Sendable, Equatable {
        public var message: String
        public var param: String?
    }

    /// The form's text fields as JSON: single fields as strings, `name[]` fields as arrays named `name`.
    public static func fields(of form: MultipartForm) -> JSONObject {
        var object = JSONObject()
        for part in form.parts where part.filename == nil {
            if part.name.hasSuffix("[]") {
                let name = String(part.name.dropLast(2))
                object[name] = .array((object[name]?.arrayValue ?? []) + [.string(part.text)])
            } else if object[part.name] == nil {
                object[part.name] = .string(part.text)
            }
        }
        return object
    }

    /// The form for the JSON variant.
    public static func form(fromJSON body: JSONObject) throws -> MultipartForm {
        guard let encoded = body["audio"]?.stringValue else {
            throw Invalid(message: "'audio' (base64) is required in a JSON transcription request.", param: "audio")
        }
        guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw Invalid(message: "'audio' must be non-empty base64.", param: "audio")
        }
        let filename = body["filename"]?.stringValue ?? "audio.wav"
        var parts = [
            MultipartForm.Part(
                name: "file", filename: filename, contentType: AudioFormat.contentType(forFilename: filename),
                data: Array(data))
        ]
        for (key, value) in body where key != "audio" && key != "filename" {
            if case .array(let items) = value {
                let name = key.hasSuffix("[]") ? key : key + "[]"
                for item in items { parts.append(MultipartForm.Part(name: name, value: try text(item, key))) }
            } else if !value.isNull {
                parts.append(MultipartForm.Part(name: key, value: try text(value, key)))
            }
        }
        return MultipartForm(boundary: MultipartForm.randomBoundary(), parts: parts)
    }

    static func text(_ value: JSONValue, _ key: String) throws -> String {
        switch value {
        case .string(let text): return text
        case .number, .bool: return value.jsonString
        default: throw Invalid(message: "'\(key)' must be a string, number or boolean.", param: key)
        }
    }
}
