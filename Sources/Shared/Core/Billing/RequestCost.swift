/// The cost of one request, or why it has none: a request whose units are known but whose model has no price
/// is reported as unpriced, never priced at zero.
public enum RequestCost: Sendable, Equatable {
    case priced(USD)
    case unpriced(reason: String)
}

extension PriceCatalogue {
    static let million: Int128 = 1_000_000

    /// Prices a request from its audit event, at the prices in force on the day it was made. The built-in mock
    /// provider is free; a failed request that consumed nothing costs nothing; a successful one that reported no
    /// usage is unpriced.
    public func cost(of event: AuditEvent) -> RequestCost {
        var embeddingCost = USD.zero
        if let embedding = event.embedding, embedding.tokens > 0, embedding.provider != "mock" {
            let day = CalendarDay(event.timestamp)
            guard let found = price(provider: embedding.provider, model: embedding.model, on: day),
                let input = found.price.inputPerMillion
            else { return .unpriced(reason: "no price for \(embedding.provider)/\(embedding.model)") }
            embeddingCost = input.scaled(by: Int128(embedding.tokens), dividedBy: Self.million)
        }
        switch generationCost(of: event) {
        case .priced(let amount): return .priced(amount + embeddingCost)
        case .unpriced(let reason): return .unpriced(reason: reason)
        }
    }

    func generationCost(of event: AuditEvent) -> RequestCost {
        if event.provider == "mock" { return .priced(.zero) }
        let media = event.media
        let hasUnits =
            event.promptTokens != nil || event.completionTokens != nil || (media?.imageCount ?? 0) > 0
            || media?.speechCharacters != nil || media?.audioSeconds != nil
        guard hasUnits else {
            if event.outcome == .success && event.method == "POST" && event.provider != nil {
                return .unpriced(reason: "\(describe(event)): the upstream reported no usage")
            }
            return .priced(.zero)
        }
        guard let model = event.providerModel else { return .unpriced(reason: "no model recorded") }
        guard let (name, price) = self.price(provider: event.provider, model: model, on: CalendarDay(event.timestamp))
        else { return .unpriced(reason: "no price for \(describe(event))") }
        func missing(_ what: String) -> RequestCost { .unpriced(reason: "no \(what) price for \(name)") }

        // Image models that also report tokens (gpt-image) are priced by tokens when the catalogue has token
        // prices for them, else by the image; never both.
        let images = media?.imageCount ?? 0
        let hasTokenPrices = price.inputPerMillion != nil || price.outputPerMillion != nil
        let byImage = images > 0 && !(hasTokenPrices && (event.promptTokens ?? 0) + (event.completionTokens ?? 0) > 0)
        let tokenEvent = byImage ? nil : event
        // Token parts are summed over a common denominator (per million) and divided once.
        var perMillion: Int128 = 0
        let prompt = tokenEvent?.promptTokens ?? 0
        let cached = tokenEvent?.cachedTokens ?? 0
        let written = tokenEvent?.cacheCreationTokens ?? 0
        let completion = tokenEvent?.completionTokens ?? 0
        if prompt > 0 {
            guard let input = price.inputPerMillion else { return missing("input token") }
            let uncached = max(0, prompt - cached - written)
            perMillion += Int128(uncached) * input.picodollars
            perMillion += Int128(min(cached, prompt)) * (price.cachedInputPerMillion ?? input).picodollars
            perMillion +=
                Int128(min(written, max(0, prompt - cached))) * (price.cacheWritePerMillion ?? input).picodollars
        }
        if completion > 0 {
            guard let output = price.outputPerMillion else { return missing("output token") }
            perMillion += Int128(completion) * output.picodollars
        }
        if let characters = media?.speechCharacters, characters > 0 {
            guard let speech = price.speechPerMillionCharacters else { return missing("speech") }
            perMillion += Int128(characters) * speech.picodollars
        }
        var total = USD(picodollars: USD.divide(perMillion, by: Self.million))
        if byImage {
            let count = images
            let quality = media?.imageQuality
            let size = media?.imageSize
            guard let each = price.imagePrice(quality: quality, size: size) else {
                return missing("image (\([quality, size].compactMap { $0 }.joined(separator: " ")))")
            }
            total = total + each.scaled(by: Int128(count), dividedBy: 1)
        }
        if let seconds = media?.audioSeconds, seconds > 0 {
            guard let minute = price.audioPerMinute else { return missing("audio") }
            total = total + minute.scaled(by: Int128((seconds * 1000).rounded()), dividedBy: 60_000)
        }
        return .priced(total)
    }

    func describe(_ event: AuditEvent) -> String {
        [event.provider, event.providerModel].compactMap { $0 }.joined(separator: "/")
    }
}
