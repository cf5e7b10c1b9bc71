/// What one model costs from one day on. Token prices are per million tokens; cached input and prompt-cache
/// writes fall back to the input price when not given. Image prices are per image, keyed `quality/size`
/// (`hd/1024x1792`), `size`, `quality` or `*`, tried in that order.
public struct ModelPrice: Sendable, Equatable {
    /// The first UTC day this price applies to; nil means since always.
    public var effectiveFrom: CalendarDay?
    public var inputPerMillion: USD?
    public var cachedInputPerMillion: USD?
    public var cacheWritePerMillion: USD?
    public var outputPerMillion: USD?
    public var images: [String: USD]
    public var audioPerMinute: USD?
    public var speechPerMillionCharacters: USD?

    public init(
        effectiveFrom: CalendarDay? = nil, inputPerMillion: USD? = nil, cachedInputPerMillion: USD? = nil,
        cacheWritePerMillion: USD? = nil, outputPerMillion: USD? = nil, images: [String: USD] = [:],
        audioPerMinute: USD? = nil, speechPerMillionCharacters: USD? = nil
    ) {
        self.effectiveFrom = effectiveFrom
        self.inputPerMillion = inputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
        self.outputPerMillion = outputPerMillion
        self.images = images
        self.audioPerMinute = audioPerMinute
        self.speechPerMillionCharacters = speechPerMillionCharacters
    }

    /// The per-image price for a quality and size.
    public func imagePrice(quality: String?, size: String?) -> USD? {
        var keys: [String] = []
        if let quality, let size { keys.append("\(quality)/\(size)") }
        if let size { keys.append(size) }
        if let quality { keys.append(quality) }
        keys.append("*")
        for key in keys { if let price = images[key] { return price } }
        return nil
    }
}
