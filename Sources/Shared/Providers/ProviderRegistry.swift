import GatewayAWS
import GatewayCore

/// The one place that knows every provider family: builds a provider for a target's `ProviderRef`.
public struct ProviderRegistry: Sendable {
    let http: UpstreamHTTP
    let config: GatewayConfig
    let mock: MockProvider
    let anthropic: AnthropicProvider
    /// Built once: its endpoint, signer and credential chains are reused by every call.
    let bedrock: BedrockProvider
    /// OAuth token sources of the OpenAI-compatible profiles configured with Google credentials, by profile
    /// (or why the credentials are unusable).
    let googleTokens: [String: Result<GoogleAccessTokenSource, ProviderError>]
    public let credentials: CredentialResolver
    /// OpenAI, and each configured OpenAI-compatible profile (or why it cannot serve): built once, not per call.
    let openAI: OpenAIProvider
    let compatible: [String: Result<OpenAIProvider, ProviderError>]

    /// `credentialOverlay`: provider keys that arrive after start-up (AWS mode: from Secrets Manager).
    public init(config: GatewayConfig, http: UpstreamHTTP, credentialOverlay: CredentialOverlay? = nil) {
        self.http = http
        self.config = config
        self.mock = MockProvider(streamDelayMilliseconds: config.mock.streamDelayMilliseconds)
        self.credentials = CredentialResolver(config: config, overlay: credentialOverlay)
        self.anthropic = AnthropicProvider(http: http, settings: config.anthropic)
        self.bedrock = BedrockProvider(
            http: http, credentials: BedrockCredentials(environment: config.environment, httpClient: http.client),
            region: config.bedrock.region ?? AWSRegion.fromEnvironment(config.environment)?.name ?? "us-east-1",
            baseURL: config.bedrock.baseURL, defaultMaxTokens: config.bedrock.defaultMaxTokens)
        var tokens: [String: Result<GoogleAccessTokenSource, ProviderError>] = [:]
        for (profile, settings) in config.compatible {
            guard let json = settings.googleCredentialsJSON else { continue }
            do {
                let account = try GoogleServiceAccount(jsonString: json)
                tokens[profile] = .success(
                    try GoogleAccessTokenSource(
                        account: account, exchange: GoogleAccessTokenSource.httpExchange(client: http.client)))
            } catch let error as ProviderError {
                tokens[profile] = .failure(error)
            } catch {
                tokens[profile] = .failure(ProviderError(.notConfigured, message: "\(error)"))
            }
        }
        self.googleTokens = tokens
        self.openAI = OpenAIProvider(
            http: http, baseURL: config.openAI.baseURL, name: ProviderRef(family: .openai).description)
        var compatible: [String: Result<OpenAIProvider, ProviderError>] = [:]
        for profile in config.compatible.keys {
            compatible[profile] = Result {
                try Self.compatibleProvider(profile, config: config, http: http, googleTokens: tokens)
            }.mapError { $0 as? ProviderError ?? ProviderError(.notConfigured, message: "\($0)") }
        }
        self.compatible = compatible
    }

    /// The provider of an `openai_compatible:<profile>` target: its base URL, Google OAuth tokens when the profile
    /// has Google credentials, and the Gemini/Vertex dialect for Google hosts.
    static func compatibleProvider(
        _ profile: String, config: GatewayConfig, http: UpstreamHTTP,
        googleTokens: [String: Result<GoogleAccessTokenSource, ProviderError>]
    ) throws -> OpenAIProvider {
        let ref = ProviderRef(family: .openaiCompatible, profile: profile)
        guard let settings = config.compatible[profile], !settings.baseURL.isEmpty else {
            throw ProviderError(
                .notConfigured,
                message: "provider \(ref) has no base URL (set \(ref.environmentStem)_BASE_URL or the config file)")
        }
        var tokens: OpenAIProvider.TokenSource?
        if let source = googleTokens[profile] {
            let tokenSource = try source.get()
            tokens = { try await tokenSource.accessToken() }
        }
        var dialect: OpenAIProvider.Dialect?
        let host = settings.baseURL.lowercased()
        if profile == "gemini" || profile == "vertex" || host.contains("googleapis.com") {
            let vertex = profile == "vertex" || host.contains("aiplatform.googleapis.com")
            dialect = { GoogleDialect.adjust(&$0, vertex: vertex) }
        }
        return OpenAIProvider(
            http: http, baseURL: settings.baseURL, name: ref.description, dialect: dialect, tokens: tokens)
    }

    /// The provider serving `ref`, or a `notConfigured` error (retryable: another target may serve).
    public func provider(for ref: ProviderRef) throws -> any Provider {
        switch ref.family {
        case .mock:
            return mock
        case .openai:
            return openAI
        case .openaiCompatible:
            let profile = ref.profile ?? ""
            if let provider = compatible[profile] { return try provider.get() }
            // A profile the configuration does not name.
            return try Self.compatibleProvider(profile, config: config, http: http, googleTokens: googleTokens)
        case .anthropic:
            return anthropic
        case .bedrock:
            return bedrock
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
