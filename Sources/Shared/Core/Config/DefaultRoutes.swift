/// The routes a gateway serves when its file defines none: real providers where credentials exist, the
/// built-in mock provider otherwise, so that every endpoint works on a machine without keys.
public enum DefaultRoutes {
    public static func routes(for config: GatewayConfig) -> [Route] {
        let mock = ProviderRef(family: .mock)
        let openai = ProviderRef(family: .openai)
        let hasOpenAI =
            config.openAI.apiKey.map { !$0.isEmpty } ?? false
            || config.environment.keys.contains { $0.hasPrefix("OPENAI_API_KEY_") }
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
        var routes: [Route] = [
            chat("gpt-5.4", "gpt-5.4", fallbacks: ["gpt-5.2-codex"]),
            chat("gpt-5.2-codex", "gpt-5.2-codex"),
            chat("fast", "gpt-5.2-codex"),
            chat("smart", "gpt-5.4"),
            other("text-embedding-3-small", .embedding),
            other("text-embedding-3-large", .embedding),
            other("dall-e-3", .image),
            other("dall-e-2", .image),
            other("whisper-1", .audio),
            other("tts-1", .audio),
            Route(alias: "mock", kind: .chat, targets: [RouteTarget(provider: mock, model: "mock")]),
        ]
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
