import GatewaySchema

extension ConfigReader {
    static let priceKeys = [
        "effective_from", "input_per_1m", "cached_input_per_1m", "cache_write_per_1m", "output_per_1m", "images",
        "audio_per_minute", "speech_per_1m_characters",
    ]

    /// The `pricing` section: model name (or `provider/model`) → one price, or a list of prices with
    /// `effective_from` dates. Amounts are USD, as numbers or strings (`0.0375`, `"2.50"`).
    mutating func readPricing(_ value: JSONValue) -> [String: [ModelPrice]] {
        guard let models = object(value, "pricing", allowed: Array(value.objectValue?.keys ?? [])) else { return [:] }
        var result: [String: [ModelPrice]] = [:]
        for (name, entry) in models {
            let path = "pricing.\(name)"
            let entries: [(JSONValue, String)]
            if let list = entry.arrayValue {
                entries = list.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
            } else {
                entries = [(entry, path)]
            }
            var prices: [ModelPrice] = []
            var days = Set<Int?>()
            for (item, itemPath) in entries {
                guard let price = readPrice(item, itemPath) else { continue }
                if !days.insert(price.effectiveFrom?.daysSinceEpoch).inserted {
                    problem(itemPath, "two prices take effect on the same day")
                }
                prices.append(price)
            }
            if entries.isEmpty { problem(path, "must list at least one price") }
            result[name] = prices
        }
        return result
    }

    mutating func readPrice(_ value: JSONValue, _ path: String) -> ModelPrice? {
        guard let fields = object(value, path, allowed: Self.priceKeys) else { return nil }
        var price = ModelPrice()
        if let text = string(fields, "effective_from", path) {
            guard let day = CalendarDay(text) else {
                problem(join(path, "effective_from"), "must be a date YYYY-MM-DD")
                return nil
            }
            price.effectiveFrom = day
        }
        price.inputPerMillion = amount(fields, "input_per_1m", path)
        price.cachedInputPerMillion = amount(fields, "cached_input_per_1m", path)
        price.cacheWritePerMillion = amount(fields, "cache_write_per_1m", path)
        price.outputPerMillion = amount(fields, "output_per_1m", path)
        price.audioPerMinute = amount(fields, "audio_per_minute", path)
        price.speechPerMillionCharacters = amount(fields, "speech_per_1m_characters", path)
        if let images = fields["images"] {
            let imagesPath = join(path, "images")
            if let table = object(images, imagesPath, allowed: Array(images.objectValue?.keys ?? [])) {
                for (key, _) in table {
                    if let each = amount(table, key, imagesPath) { price.images[key] = each }
                }
            }
        }
        if price == ModelPrice(effectiveFrom: price.effectiveFrom) {
            problem(path, "names no price (expected some of: \(Self.priceKeys.dropFirst().joined(separator: ", ")))")
        }
        return price
    }

    mutating func amount(_ object: JSONObject, _ key: String, _ path: String) -> USD? {
        guard let value = object[key], !value.isNull else { return nil }
        let text: String?
        switch value {
        case .number(let number): text = number.raw
        case .string(let string): text = string
        default: text = nil
        }
        guard let text, let amount = USD(text), amount >= .zero else {
            problem(join(path, key), "must be an amount in USD ≥ 0 with at most 12 decimal places")
            return nil
        }
        return amount
    }
}
