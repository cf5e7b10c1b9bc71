/// The routes a gateway serves when its file defines none: real providers where credentials exist, the
/// built-in mock provider otherwise, so that every endpoint works on a machine without keys. A key held in Secrets
/// Manager (`<PROVIDER>_SECRET_ARN`, AWS mode) counts as a credential.
public enum DefaultRoutes {
    public static func routes(for config: GatewayConfig) -> [Route] {
        let mock = ProviderRef(family: .mock)
        let openai = ProviderRef(family: .openai)
        let hasOpenAI =
            config.openAI.apiKey.map { !$0.isEmpty } ?? false
            || config.environment.keys.contains { $0.hasPrefix("OPENAI_API_KEY_") || $0.hasPrefix("OPENAI_SECRET_ARN") }
        func chat(_ alias: String, _ model: String, fallbacks: [String] = []) -> Route {
            Route(
                alias: alias, kind: .chat,
                targets: [RouteTarget(provider: hasOpenAI ? openai : mock, model: hasOpenAI ? model : "mock-\(alias)")],
                fallbacks: fallbacks)
        }
        func other(_ alias: String, _ kind: Route.Kind) -> Route {
            Route(
                alias: alias, kind: kind,
                targets: [RouteTarget(provider: hasOpenAI ? openai : mock, model: hasOpenAI ? alias : "mock-\(alias)")])
        }
        let env = config.environment
        let hasAnthropic =
            config.anthropic.profile.apiKey.map { !$0.isEmpty } ?? false
            || env.keys.contains { $0.hasPrefix("ANTHROPIC_API_KEY_") || $0.hasPrefix("ANTHROPIC_SECRET_ARN") }
        let hasAWS =
            config.bedrock.region != nil || config.bedrock.baseURL != nil || env["AWS_ACCESS_KEY_ID"] != nil
            || env["AWS_PROFILE"] != nil || env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil
            || env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil
        let bedrock = ProviderRef(family: .bedrock)
        var fast = chat("fast", "gpt-5.2-codex")
        if hasAWS {
            let nova = RouteTarget(provider: bedrock, model: "amazon.nova-lite-v1:0", weight: 40)
            if hasOpenAI {
                fast.targets[0].weight = 60
                fast.targets.append(nova)
            } else {
                fast.targets = [nova]
            }
        }
        var routes: [Route] = [
            chat("gpt-5.4", "gpt-5.4", fallbacks: ["gpt-5.2-codex"]),
            chat("gpt-5.2-codex", "gpt-5.2-codex"),
            fast,
            chat("smart", "gpt-5.4"),
            other("text-embedding-3-small", .embedding),
            other("text-embedding-3-large", .embedding),
            other("dall-e-3", .image),
            other("dall-e-2", .image),
            other("whisper-1", .audio),
            other("tts-1", .audio),
            Route(alias: "mock", kind: .chat, targets: [RouteTarget(provider: mock, model: "mock")]),
        ]
        if hasAnthropic {
            let anthropic = ProviderRef(family: .anthropic)
            routes.append(
                Route(alias: "claude-sonnet", targets: [RouteTarget(provider: anthropic, model: "claude-sonnet-4-5")]))
            routes.append(
                Route(alias: "claude-haiku", targets: [RouteTarget(provider: anthropic, model: "claude-haiku-4-5")]))
        }
        if hasAWS {
            for (alias, model) in [
                ("nova-lite", "amazon.nova-lite-v1:0"), ("nova-pro", "amazon.nova-pro-v1:0"),
                ("nova-micro", "amazon.nova-micro-v1:0"),
            ] {
                routes.append(Route(alias: alias, targets: [RouteTarget(provider: bedrock, model: model)]))
            }
        }
        for profile in ["gemini", "vertex"] where config.compatible[profile] != nil {
            let provider = ProviderRef(family: .openaiCompatible, profile: profile)
            let prefix = profile == "vertex" ? "vertex-" : ""
            for model in ["gemini-2.5-pro", "gemini-2.5-flash"] {
                routes.append(
                    Route(alias: prefix + model, targets: [RouteTarget(provider: provider, model: model)]))
            }
        }
        return routes
    }
}
