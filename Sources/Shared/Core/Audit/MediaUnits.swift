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
        public func encode(into object: inout JSONObjectWriter) {
            if let imageCount { object.int("image_count", imageCount) }
            if let imageSize { object.string("image_size", imageSize) }
            if let imageQuality { object.string("image_quality", imageQuality) }
            if let speechCharacters { object.int("speech_characters", speechCharacters) }
            if let audioSeconds { object.number("audio_seconds", raw: JSONNumber(audioSeconds).raw) }
        }
    }
}
