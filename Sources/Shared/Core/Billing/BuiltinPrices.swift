/// List prices (USD) of the models the default routes use and of common neighbours, as published by the
/// providers (standard tier, short context, on-demand). They are a starting point: check them against your
/// contract and override any model in the configuration file's `pricing` section.
enum BuiltinPrices {
    /// name, effective from (nil: always), input, cached input, cache write, output; per million tokens.
    static let tokens: [(String, String?, String, String?, String?, String)] = [
        // OpenAI
        ("gpt-5.5", nil, "5", "0.5", nil, "30"),
        ("gpt-5.4", nil, "2.5", "0.25", nil, "15"),
        ("gpt-5.4-mini", nil, "0.75", "0.075", nil, "4.5"),
        ("gpt-5.4-nano", nil, "0.2", "0.02", nil, "1.25"),
        ("gpt-5.2", nil, "1.75", "0.175", nil, "14"),
        ("gpt-5.2-codex", nil, "1.75", "0.175", nil, "14"),
        ("gpt-5.1", nil, "1.25", "0.125", nil, "10"),
        ("gpt-5", nil, "1.25", "0.125", nil, "10"),
        ("gpt-5-mini", nil, "0.25", "0.025", nil, "2"),
        ("gpt-5-nano", nil, "0.05", "0.005", nil, "0.4"),
        ("gpt-4.1", nil, "2", "0.5", nil, "8"),
        ("gpt-4.1-mini", nil, "0.4", "0.1", nil, "1.6"),
        ("gpt-4.1-nano", nil, "0.1", "0.025", nil, "0.4"),
        ("gpt-4o", nil, "5", nil, nil, "15"),
        ("gpt-4o", "2024-08-06", "2.5", "1.25", nil, "10"),
        ("gpt-4o-mini", nil, "0.15", "0.075", nil, "0.6"),
        ("o3", nil, "2", "0.5", nil, "8"),
        ("o4-mini", nil, "1.1", "0.275", nil, "4.4"),
        ("gpt-3.5-turbo-instruct", nil, "1.5", nil, nil, "2"),
        // Anthropic (also the Bedrock ids, through the name fallbacks of the catalogue)
        ("claude-opus-4-5", nil, "5", "0.5", "6.25", "25"),
        ("claude-sonnet-4-5", nil, "3", "0.3", "3.75", "15"),
        ("claude-sonnet-4", nil, "3", "0.3", "3.75", "15"),
        ("claude-haiku-4-5", nil, "1", "0.1", "1.25", "5"),
        ("claude-3-5-haiku", nil, "0.8", "0.08", "1", "4"),
        // Amazon Nova on Bedrock
        ("amazon.nova-micro-v1:0", nil, "0.035", "0.00875", nil, "0.14"),
        ("amazon.nova-lite-v1:0", nil, "0.06", "0.015", nil, "0.24"),
        ("amazon.nova-pro-v1:0", nil, "0.8", "0.2", nil, "3.2"),
        // Google (prompts up to 200k tokens)
        ("gemini-2.5-pro", nil, "1.25", "0.125", nil, "10"),
        ("gemini-2.5-flash", nil, "0.3", "0.03", nil, "2.5"),
        ("gemini-2.5-flash-lite", nil, "0.1", "0.01", nil, "0.4"),
    ]

    /// Embedding models: input tokens only.
    static let embeddings: [(String, String)] = [
        ("text-embedding-3-small", "0.02"), ("text-embedding-3-large", "0.13"), ("text-embedding-ada-002", "0.1"),
        ("amazon.titan-embed-text-v2:0", "0.02"), ("amazon.titan-embed-text-v1", "0.1"),
        ("cohere.embed-english-v3", "0.1"), ("cohere.embed-multilingual-v3", "0.1"), ("cohere.embed-v4:0", "0.12"),
        ("gemini-embedding-001", "0.15"), ("text-embedding-004", "0.1"),
    ]

    /// Image models: per image by `quality/size`.
    static let images: [(String, [(String, String)])] = [
        (
            "dall-e-3",
            [
                ("standard/1024x1024", "0.04"), ("standard/1024x1792", "0.08"), ("standard/1792x1024", "0.08"),
                ("hd/1024x1024", "0.08"), ("hd/1024x1792", "0.12"), ("hd/1792x1024", "0.12"),
            ]
        ),
        ("dall-e-2", [("256x256", "0.016"), ("512x512", "0.018"), ("1024x1024", "0.02")]),
        (
            "gpt-image-1",
            [
                ("low/1024x1024", "0.011"), ("low/1024x1536", "0.016"), ("low/1536x1024", "0.016"),
                ("medium/1024x1024", "0.042"), ("medium/1024x1536", "0.063"), ("medium/1536x1024", "0.063"),
                ("high/1024x1024", "0.167"), ("high/1024x1536", "0.25"), ("high/1536x1024", "0.25"),
                // `auto` quality and size are billed as the highest the model may choose.
                ("auto", "0.25"),
            ]
        ),
    ]

    /// Audio: transcription per minute, speech per million characters.
    static let audioPerMinute: [(String, String)] = [("whisper-1", "0.006")]
    static let speechPerMillionCharacters: [(String, String)] = [("tts-1", "15"), ("tts-1-hd", "30")]

    static let catalogue: PriceCatalogue = {
        func usd(_ text: String) -> USD {
            guard let value = USD(text) else { preconditionFailure("bad built-in price \(text)") }
            return value
        }
        var models: [String: [ModelPrice]] = [:]
        for (name, from, input, cached, write, output) in tokens {
            models[name, default: []].append(
                ModelPrice(
                    effectiveFrom: from.map { day in
                        guard let value = CalendarDay(day) else { preconditionFailure("bad built-in date \(day)") }
                        return value
                    }, inputPerMillion: usd(input), cachedInputPerMillion: cached.map(usd),
                    cacheWritePerMillion: write.map(usd), outputPerMillion: usd(output)))
        }
        for (name, input) in embeddings { models[name] = [ModelPrice(inputPerMillion: usd(input))] }
        for (name, prices) in images {
            models[name] = [ModelPrice(images: Dictionary(uniqueKeysWithValues: prices.map { ($0, usd($1)) }))]
        }
        for (name, price) in audioPerMinute { models[name] = [ModelPrice(audioPerMinute: usd(price))] }
        for (name, price) in speechPerMillionCharacters {
            models[name] = [ModelPrice(speechPerMillionCharacters: usd(price))]
        }
        return PriceCatalogue(models)
    }()
}
