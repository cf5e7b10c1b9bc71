/// A `data:<media type>;base64,<data>` URL, as OpenAI clients send images and files inline.
public struct DataURL: Sendable, Equatable {
    public var mediaType: String
    /// The base64 text, unchanged.
    public var base64: String

    /// Parses a base64 data URL; nil for anything else (plain `http(s)` URLs, non-base64 data URLs).
    public init?(_ text: String) {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        let parameters = header.split(separator: ";", omittingEmptySubsequences: false)
        guard parameters.count >= 2, parameters.last == "base64" else { return nil }
        let mediaType = parameters[0].lowercased()
        guard !mediaType.isEmpty else { return nil }
        self.mediaType = mediaType
        self.base64 = String(text[text.index(after: comma)...])
    }
}
