import GatewayCore

/// The one place that knows every provider family: builds a provider for a target's `ProviderRef`.
public struct ProviderRegistry: Sendable {
    let http: UpstreamHTTP
    let config: GatewayConfig
    let mock: MockProvider
    public let credentials: CredentialResolver

    public init(config: GatewayConfig, http: UpstreamHTTP) {
        self.http = http
        self.config = config
        self.mock = MockProvider(streamDelayMilliseconds: config.mock.streamDelayMilliseconds)
        self.credentials = CredentialResolver(config: config)
    }

    /// The provider serving `ref`, or a `notConfigured` error (retryable: another target may serve).
    public func provider(for ref: ProviderRef) throws -> any Provider {
        switch ref.family {
        case .mock:
            return mock
        case .openai:
            return OpenAIProvider(http: http, baseURL: config.openAI.baseURL, name: ref.description)
        case .openaiCompatible:
            guard let profile = ref.profile, let settings = config.compatible[profile], !settings.baseURL.isEmpty else {
                throw ProviderError(
                    .notConfigured,
                    message: "provider \(ref) has no base URL (set \(ref.environmentStem)_BASE_URL or the config file)")
            }
            return OpenAIProvider(http: http, baseURL: settings.baseURL, name: ref.description)
        case .anthropic:
            return AnthropicProvider(http: http, settings: config.anthropic)
        case .bedrock:
            throw ProviderError(.notConfigured, message: "provider bedrock is not available yet")
        }
    }

    /// Whether calls to `ref` need a credential from the resolver (Bedrock signs with AWS credentials instead).
    public func requiresCredential(_ ref: ProviderRef) -> Bool {
        switch ref.family {
        case .mock, .bedrock: return false
        case .openai, .anthropic: return true
        // Local OpenAI-compatible servers (vLLM, Ollama) often take no key.
        case .openaiCompatible: return false
        }
    }
}
