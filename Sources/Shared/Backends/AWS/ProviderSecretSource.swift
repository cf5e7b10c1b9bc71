import GatewaySchema

/// One provider key kept in Secrets Manager: the secret named by `<STEM>_SECRET_ARN[_<KEY_ID>]` (stems as
/// `ProviderRef.environmentStem` makes them: `OPENAI`, `ANTHROPIC`, `OPENAI_COMPAT_<PROFILE>`, …), provided to the
/// `CredentialResolver` as `<STEM>_API_KEY[_<KEY_ID>]`.
public struct ProviderSecretSource: Sendable, Hashable {
    /// The credential's variable name (`OPENAI_API_KEY_TEAM_A`).
    public var variable: String
    /// The secret's ARN or name.
    public var secretID: String

    public init(variable: String, secretID: String) {
        self.variable = variable
        self.secretID = secretID
    }

    static let marker = "_SECRET_ARN"

    /// Every source the environment names, sorted by variable.
    public static func all(in environment: [String: String]) -> [ProviderSecretSource] {
        environment.compactMap { name, value -> ProviderSecretSource? in
            guard !value.isEmpty, let range = name.firstRange(of: marker), range.lowerBound != name.startIndex else {
                return nil
            }
            let rest = name[range.upperBound...]
            guard rest.isEmpty || (rest.hasPrefix("_") && rest.count > 1) else { return nil }
            return ProviderSecretSource(
                variable: String(name[..<range.lowerBound]) + "_API_KEY" + rest, secretID: value)
        }.sorted { $0.variable < $1.variable }
    }

    /// The credential in a secret's string: a plain key, a JSON array of keys (kept as JSON text: the resolver
    /// uses it as a round-robin pool), or a JSON object whose `api_key` or `apiKey` member is either. Nil when an
    /// object has neither member or the value is empty.
    public static func credential(fromSecret text: String) -> String? {
        let trimmed = text.drop { $0.isWhitespace }
        guard trimmed.first == "{" || trimmed.first == "[" else { return text.isEmpty ? nil : text }
        guard let value = try? JSONParser.parse(String(trimmed)) else { return text }
        let member: JSONValue?
        if let object = value.objectValue {
            member = object["api_key"] ?? object["apiKey"]
        } else {
            member = value
        }
        switch member {
        case .string(let key)?: return key.isEmpty ? nil : key
        case .array(let keys)? where keys.contains(where: { $0.stringValue?.isEmpty == false }):
            return member?.jsonString
        default: return nil
        }
    }
}
