/// Which upstream API a target talks to: `openai`, `openai_compatible:<profile>`, `anthropic`, `bedrock`, `mock`.
public struct ProviderRef: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable, CaseIterable {
        case openai
        case openaiCompatible = "openai_compatible"
        case anthropic
        case bedrock
        case mock
    }

    public var family: Family { didSet { description = Self.describe(family, profile) } }
    /// The profile of an `openai_compatible:<profile>` provider (lowercased), else nil.
    public var profile: String? { didSet { description = Self.describe(family, profile) } }
    /// `openai`, `openai_compatible:gemini`: kept, since every request's audit event and metrics name it.
    public private(set) var description: String

    public init(family: Family, profile: String? = nil) {
        self.family = family
        self.profile = profile
        self.description = Self.describe(family, profile)
    }

    /// Parses `openai`, `mock`, `openai_compatible:gemini`.
    public init?(_ text: String) {
        if let colon = text.firstIndex(of: ":") {
            let head = String(text[..<colon])
            let profile = String(text[text.index(after: colon)...]).lowercased()
            guard head == Family.openaiCompatible.rawValue, !profile.isEmpty,
                profile.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            else { return nil }
            self.init(family: .openaiCompatible, profile: profile)
        } else {
            guard let family = Family(rawValue: text), family != .openaiCompatible else { return nil }
            self.init(family: family)
        }
    }

    static func describe(_ family: Family, _ profile: String?) -> String {
        if let profile { return "\(family.rawValue):\(profile)" }
        return family.rawValue
    }

    /// Environment-variable stem of this provider: `OPENAI`, `OPENAI_COMPAT_GEMINI`, `ANTHROPIC`, `MOCK`.
    public var environmentStem: String {
        switch family {
        case .openai: return "OPENAI"
        case .anthropic: return "ANTHROPIC"
        case .bedrock: return "BEDROCK"
        case .mock: return "MOCK"
        case .openaiCompatible: return "OPENAI_COMPAT_" + EnvironmentName.normalize(profile ?? "")
        }
    }
}

/// Which OpenAI endpoint to call on an OpenAI-family upstream.
public enum EndpointMode: String, Sendable, Hashable, CaseIterable {
    case chat
    case completions
    /// Chat first; completions only after an endpoint-compatibility error.
    case auto
}

/// One place an alias can be served from.
public struct RouteTarget: Sendable, Hashable, CustomStringConvertible {
    public var provider: ProviderRef { didSet { description = Self.describe(provider, model, keyID) } }
    public var model: String { didSet { description = Self.describe(provider, model, keyID) } }
    public var weight: Double
    public var endpointMode: EndpointMode
    public var keyID: String? { didSet { description = Self.describe(provider, model, keyID) } }
    /// Identifies the target for circuit breaking and logs: `provider/model[#key]`. Kept, since the dispatcher
    /// looks up every attempt's circuit by it.
    public private(set) var description: String

    public init(
        provider: ProviderRef, model: String, weight: Double = 1, endpointMode: EndpointMode = .chat,
        keyID: String? = nil
    ) {
        self.provider = provider
        self.model = model
        self.weight = weight
        self.endpointMode = endpointMode
        self.keyID = keyID
        self.description = Self.describe(provider, model, keyID)
    }

    static func describe(_ provider: ProviderRef, _ model: String, _ keyID: String?) -> String {
        "\(provider)/\(model)" + (keyID.map { "#\($0)" } ?? "")
    }
}

/// What a model alias means.
public struct Route: Sendable, Hashable {
    /// What kind of endpoint the alias serves; `/v1/models` lists all.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case chat
        case embedding
        case image
        case audio
    }

    public var alias: String
    public var kind: Kind
    public var targets: [RouteTarget]
    /// Ordered fallback aliases tried after every target of this alias failed.
    public var fallbacks: [String]
    public var enabled: Bool

    public init(
        alias: String, kind: Kind = .chat, targets: [RouteTarget], fallbacks: [String] = [], enabled: Bool = true
    ) {
        self.alias = alias
        self.kind = kind
        self.targets = targets
        self.fallbacks = fallbacks
        self.enabled = enabled
    }
}

/// Names used in environment variables: uppercased, every non-alphanumeric replaced by `_`.
public enum EnvironmentName {
    public static func normalize(_ text: String) -> String {
        // ASCII (every provider and key id in practice) is mapped byte by byte; anything else is uppercased first,
        // as ß becomes SS, and then mapped scalar by scalar.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            return String(
                decoding: text.utf8.map { byte -> UInt8 in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 0x20
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
                    default: UInt8(ascii: "_")
                    }
                }, as: UTF8.self)
        }
        return String(
            text.uppercased().unicodeScalars.map { scalar -> Character in
                (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                    ? Character(scalar) : "_"
            })
    }
}
