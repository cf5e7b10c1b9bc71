/// `POST /v1/images/generations` body (the fields the fake uses).
struct ImageRequest: Decodable, ModelNamed {
    var model: String
    var prompt: String
    var n: Int?
    var response_format: String?
    var size: String?
    var quality: String?
}

/// `POST /v1/audio/speech` body.
struct SpeechRequest: Decodable, ModelNamed {
    var model: String
    var input: String
    var voice: String
    var response_format: String?
}
