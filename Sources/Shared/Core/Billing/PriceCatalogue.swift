import Synchronization

/// Prices by model, each with its dated history. A model is found by `provider/model` first, then by its name,
/// then by the name without a path prefix (`google/gemini-2.5-pro`), a Bedrock geography prefix
/// (`us.anthropic.claude-…`) or a date suffix (`gpt-4o-2024-08-06`).
public struct PriceCatalogue: Sendable, Equatable {
    /// Price histories by model name, each sorted by effective day.
    public private(set) var models: [String: [ModelPrice]]
    /// The catalogue name each (provider, model) resolved to, nil for none: every request is priced, and resolving
    /// tries up to a dozen spellings. A new cache for every change of `models`.
    var names = NameCache()

    public init(_ models: [String: [ModelPrice]] = [:]) {
        self.models = [:]
        for (name, prices) in models { set(name, prices) }
    }

    /// Replaces a model's whole price history.
    public mutating func set(_ model: String, _ prices: [ModelPrice]) {
        models[model] = prices.sorted {
            ($0.effectiveFrom?.daysSinceEpoch ?? .min) < ($1.effectiveFrom?.daysSinceEpoch ?? .min)
        }
        names = NameCache()
    }

    public static func == (lhs: PriceCatalogue, rhs: PriceCatalogue) -> Bool { lhs.models == rhs.models }

    /// The built-in list prices, with `overrides` (from the configuration file) replacing whole models.
    public static func standard(overrides: [String: [ModelPrice]] = [:]) -> PriceCatalogue {
        var catalogue = BuiltinPrices.catalogue
        for (name, prices) in overrides { catalogue.set(name, prices) }
        return catalogue
    }

    /// The price in force on `day` for a provider's model, and the catalogue name it was found under.
    public func price(provider: String?, model: String, on day: CalendarDay) -> (name: String, price: ModelPrice)? {
        let found = names.resolve(provider: provider, model: model) { provider, model in
            Self.candidates(provider: provider, model: model).first { models[$0] != nil }
        }
        guard let name = found, let history = models[name] else { return nil }
        // A model that is listed but not yet priced on that day is unpriced, not priced by another name.
        guard let price = history.last(where: { ($0.effectiveFrom ?? day) <= day }) else { return nil }
        return (name, price)
    }

    /// Memoised name resolution, bounded: cleared when it reaches `capacity` entries (model names come from
    /// configuration and upstream answers, so there are few).
    final class NameCache: Sendable {
        struct Key: Hashable {
            var provider: String?
            var model: String
        }
        let entries = Mutex<[Key: String?]>([:])
        let capacity = 4096

        func resolve(
            provider: String?, model: String, _ compute: (String?, String) -> String?
        ) -> String? {
            let key = Key(provider: provider, model: model)
            if let known = entries.withLock({ $0[key] }) { return known }
            let name = compute(provider, model)
            entries.withLock { entries in
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
                entries[key] = .some(name)
            }
            return name
        }
    }

    static func candidates(provider: String?, model: String) -> [String] {
        var names: [String] = []
        func add(_ name: String) {
            if let provider { names.append("\(provider)/\(name)") }
            names.append(name)
        }
        add(model)
        var bare = model
        if let slash = bare.lastIndex(of: "/") {
            bare = String(bare[bare.index(after: slash)...])
            add(bare)
        }
        for geography in ["us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."]
        where bare.hasPrefix(geography) {
            bare = String(bare.dropFirst(geography.count))
            add(bare)
        }
        // Bedrock ids of other vendors' models: `anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5`.
        if bare.hasPrefix("anthropic.") {
            bare = String(bare.dropFirst("anthropic.".count))
            if let dash = bare.lastIndex(of: "-"), bare[bare.index(after: dash)...].first == "v",
                bare[bare.index(dash, offsetBy: 2)...].allSatisfy({ $0.isNumber || $0 == ":" })
            {
                bare = String(bare[..<dash])
            }
            add(bare)
        }
        if let undated = withoutDateSuffix(bare) { add(undated) }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// `gpt-4o-2024-08-06` → `gpt-4o`; `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`.
    static func withoutDateSuffix(_ model: String) -> String? {
        let bytes = Array(model.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.allSatisfy { bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }
        }
        let n = bytes.count
        if n > 11, bytes[n - 11] == UInt8(ascii: "-"), bytes[n - 6] == UInt8(ascii: "-"),
            bytes[n - 3] == UInt8(ascii: "-"), digits(n - 10..<n - 6), digits(n - 5..<n - 3), digits(n - 2..<n)
        {
            return String(decoding: bytes[..<(n - 11)], as: UTF8.self)
        }
        if n > 9, bytes[n - 9] == UInt8(ascii: "-"), digits(n - 8..<n) {
            return String(decoding: bytes[..<(n - 9)], as: UTF8.self)
        }
        return nil
    }
}
