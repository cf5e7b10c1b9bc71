import GatewaySchema
import Synchronization

/// Finds the credential for a target, following the key-pool conventions:
///
/// - a target's `key_id` selects `<PROVIDER>_API_KEY_<KEY_ID>` (key id uppercased, every non-alphanumeric
///   replaced by `_`), then the profile's `key_pool` entry in the file, falling back to the default credential;
/// - the default credential is `<PROVIDER>_API_KEY`, then the file's `api_key`;
/// - a credential whose value is a JSON array of strings is a pool used round-robin;
/// - an `overlay` (provider keys fetched from a secret store) is consulted before the environment, name by name.
public final class CredentialResolver: Sendable {
    let environment: [String: String]
    let overlay: CredentialOverlay?
    let profiles: [String: GatewayConfig.OpenAIProfile]
    let counters: Mutex<[String: Int]> = Mutex([:])

    public init(config: GatewayConfig, overlay: CredentialOverlay? = nil) {
        self.environment = config.environment
        self.overlay = overlay
        var keyed: [String: GatewayConfig.OpenAIProfile] = [:]
        for (name, profile) in config.compatible {
            keyed[ProviderRef(family: .openaiCompatible, profile: name).environmentStem] = profile
        }
        keyed[ProviderRef(family: .openai).environmentStem] = config.openAI
        keyed[ProviderRef(family: .anthropic).environmentStem] = config.anthropic.profile
        self.profiles = keyed
    }

    /// The credential to use now, or nil when none is configured.
    public func credential(for provider: ProviderRef, keyID: String?) -> String? {
        let stem = provider.environmentStem
        var source: (name: String, value: String)?
        if let keyID {
            let name = "\(stem)_API_KEY_\(EnvironmentName.normalize(keyID))"
            if let value = variable(name) {
                source = (name, value)
            } else if let value = profiles[stem]?.keyPool[keyID], !value.isEmpty {
                source = ("\(stem):pool:\(keyID)", value)
            }
        }
        if source == nil {
            if let value = variable("\(stem)_API_KEY") {
                source = ("\(stem)_API_KEY", value)
            } else if let value = profiles[stem]?.apiKey, !value.isEmpty {
                source = ("\(stem):api_key", value)
            }
        }
        guard let source else { return nil }
        return pick(from: source.value, counter: source.name)
    }

    /// A non-empty value of the overlay, else of the environment.
    func variable(_ name: String) -> String? {
        if let value = overlay?[name], !value.isEmpty { return value }
        if let value = environment[name], !value.isEmpty { return value }
        return nil
    }

    /// A plain key, or the next key of a JSON array, round-robin per source.
    func pick(from value: String, counter name: String) -> String {
        guard value.first == "[", case .array(let items)? = try? JSONParser.parse(value) else { return value }
        let keys = items.compactMap(\.stringValue).filter { !$0.isEmpty }
        guard !keys.isEmpty else { return value }
        let index = counters.withLock { counters -> Int in
            let current = counters[name, default: 0]
            counters[name] = current &+ 1
            return current
        }
        return keys[index % keys.count]
    }
}
