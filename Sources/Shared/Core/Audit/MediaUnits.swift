import GatewaySchema

extension AuditEvent {
    /// What an image or audio request is billed by: images × size × quality for image generation, input
    /// characters for speech, and audio seconds for transcriptions and translations (when the upstream reports
    /// a duration). Each field is nil when it does not apply; encoded as `image_count`, `image_size`,
    /// `image_quality`, `speech_characters` and `audio_seconds`, and only when set.
    public struct MediaUnits: Sendable, Equatable {
        public var imageCount: Int?
        public var imageSize: String?
        public var imageQuality: String?
        public var speechCharacters: Int?
        public var audioSeconds: Double?

        public init(
            imageCount: Int? = nil, imageSize: String? = nil, imageQuality: String? = nil,
            speechCharacters: Int? = nil, audioSeconds: Double? = nil
        ) {
            self.imageCount = imageCount
            self.imageSize = imageSize
            self.imageQuality = imageQuality
            self.speechCharacters = speechCharacters
            self.audioSeconds = audioSeconds
        }

        /// Reads the fields from an encoded audit event; nil when none is present.
        public init?(decoding object: JSONObject) {
            let units = MediaUnits(
                imageCount: object["image_count"]?.intValue, imageSize: object["image_size"]?.stringValue,
                imageQuality: object["image_quality"]?.stringValue,
                speechCharacters: object["speech_characters"]?.intValue,
                audioSeconds: object["audio_seconds"]?.doubleValue)
            guard units != MediaUnits() else { return nil }
            self = units
        }

        /// Adds the set fields to an encoded audit event.
        public func encode(into object: inout JSONObject) {
            if let imageCount { object["image_count"] = .number(JSONNumber(imageCount)) }
            if let imageSize { object["image_size"] = .string(imageSize) }
            if let imageQuality { object["image_quality"] = .string(imageQuality) }
            if let speechCharacters { object["speech_characters"] = .number(JSONNumber(speechCharacters)) }
            if let audioSeconds { object["audio_seconds"] = .number(JSONNumber(audioSeconds)) }
        }
    }
}
