import Testing

@testable import GatewayCore

@Suite struct ConfigLoaderTests {
    @Test func readsAFullFile() throws {
        let config = try ConfigLoader.load(
            yaml: """
                listen: 0.0.0.0:9000
                data_dir: /var/lib/switchboard
                server: { max_body_bytes: 2048, max_json_depth: 10, cors: { allowed_origins: ["https://app.example"] } }
                retry: { max_attempts: 5 }
                circuit_breaker: { failure_threshold: 2, open_seconds: 1.5 }
                limits: { rpm: 10, rpd: 100 }
                providers:
                  openai: { api_key: sk-file, key_pool: { a: sk-a } }
                  openai_compatible:
                    Gemini: { base_url: "https://generativelanguage.googleapis.com/v1beta/openai" }
                routes:
                  fast:
                    targets:
                      - { provider: openai, model: gpt-5.2-codex, weight: 60 }
                      - { provider: "openai_compatible:gemini", model: gemini-2.5-flash, weight: 40 }
                    fallbacks: [smart]
                  smart:
                    targets: [{ provider: openai, model: gpt-5.4 }]
                """, fileName: "s.yaml", environment: [:])
        #expect(config.listen == .init(host: "0.0.0.0", port: 9000))
        #expect(config.server.maxBodyBytes == 2048)
        #expect(config.server.cors?.allowedOrigins == ["https://app.example"])
        #expect(config.retry.maxAttempts == 5)
        #expect(config.circuitBreaker.failureThreshold == 2)
        #expect(config.circuitBreaker.openDuration == .milliseconds(1500))
        #expect(config.limits.tenantRPM == 10)
        #expect(config.openAI.apiKey == "sk-file")
        #expect(config.compatible["gemini"]?.baseURL.hasPrefix("https://generativelanguage") == true)
        #expect(!config.usingDefaultRoutes)
        #expect(Set(config.routes.map(\.alias)) == ["fast", "smart"])
    }

    @Test func reportsFileLinePathAndProblem() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "", fileName: "f", environment: ["RPM_LIMIT": "lots"])
        }
        do {
            _ = try ConfigLoader.load(
                yaml: """
                    listen: nowhere
                    limitz: { rpm: 1 }
                    retry:
                      max_attempts: zero
                    routes:
                      fast:
                        targets: [{ provider: openai, model: m, weight: 0 }]
                      smart:
                        targets: [{ provider: openai, model: m }]
                        fallbacks: [ghost]
                    """, fileName: "switchboard.yaml", environment: [:])
            Issue.record("expected problems")
        } catch {
            let text = error.description
            #expect(text.contains("switchboard.yaml:1: listen: must be host:port"), "\(text)")
            #expect(text.contains("switchboard.yaml:2: limitz: unknown key"), "\(text)")
            #expect(text.contains("switchboard.yaml:4: retry.max_attempts: must be an integer ≥ 1"), "\(text)")
            #expect(text.contains("routes.fast.targets[0].weight: must be a positive number"), "\(text)")
            #expect(text.contains("routes.smart.fallbacks: unknown alias 'ghost'"), "\(text)")
        }
    }

    @Test func environmentOverridesTheFile() throws {
        let config = try ConfigLoader.load(
            yaml: "listen: 127.0.0.1:1\nlimits: { rpm: 5 }", fileName: "f",
            environment: [
                "SWITCHBOARD_LISTEN": "127.0.0.1:2", "RPM_LIMIT": "7", "RPD_LIMIT": "off",
                "OPENAI_COMPAT_VLLM_BASE_URL": "http://127.0.0.1:8000/v1", "OPENAI_COMPAT_VLLM_API_KEY": "k",
            ])
        #expect(config.listen.port == 2)
        #expect(config.limits.tenantRPM == 7)
        #expect(config.limits.tenantRPD == nil)
        #expect(config.compatible["vllm"]?.baseURL == "http://127.0.0.1:8000/v1")
        #expect(config.compatible["vllm"]?.apiKey == "k")
    }

    @Test func defaultRoutesUseTheMockWithoutCredentials() throws {
        let offline = try ConfigLoader.load(yaml: "", fileName: "f", environment: [:])
        #expect(offline.usingDefaultRoutes)
        let fast = try #require(offline.routes.first { $0.alias == "fast" })
        #expect(fast.targets.map(\.provider.family) == [.mock])
        #expect(offline.routes.contains { $0.alias == "text-embedding-3-small" && $0.kind == .embedding })
        let online = try ConfigLoader.load(yaml: "", fileName: "f", environment: ["OPENAI_API_KEY": "sk-x"])
        #expect(online.routes.first { $0.alias == "fast" }?.targets.first?.provider.family == .openai)
    }
}

@Suite struct CredentialResolverTests {
    func resolver(_ env: [String: String], yaml: String = "") throws -> CredentialResolver {
        CredentialResolver(config: try ConfigLoader.load(yaml: yaml, fileName: "f", environment: env))
    }

    @Test func keyIDSelectsItsVariableAndFallsBack() throws {
        let resolver = try resolver([
            "OPENAI_API_KEY": "sk-default", "OPENAI_API_KEY_ACCOUNT_2": "sk-two",
        ])
        let openai = ProviderRef(family: .openai)
        #expect(resolver.credential(for: openai, keyID: "account-2") == "sk-two")
        #expect(resolver.credential(for: openai, keyID: "account1") == "sk-default")
        #expect(resolver.credential(for: openai, keyID: nil) == "sk-default")
        #expect(resolver.credential(for: ProviderRef(family: .openaiCompatible, profile: "x"), keyID: nil) == nil)
    }

    @Test func jsonArrayCredentialsRoundRobin() throws {
        let resolver = try resolver(
            ["OPENAI_COMPAT_FAKE_API_KEY": #"["sk-a","sk-b","sk-c"]"#],
            yaml: "providers: { openai_compatible: { fake: { base_url: 'http://x' } } }")
        let fake = ProviderRef(family: .openaiCompatible, profile: "fake")
        let picks = (0..<6).compactMap { _ in resolver.credential(for: fake, keyID: nil) }
        #expect(picks == ["sk-a", "sk-b", "sk-c", "sk-a", "sk-b", "sk-c"])
    }

    @Test func configFilePoolIsUsedForKeyIDs() throws {
        let resolver = try resolver([:], yaml: "providers: { openai: { api_key: sk-f, key_pool: { acct: sk-pool } } }")
        #expect(resolver.credential(for: ProviderRef(family: .openai), keyID: "acct") == "sk-pool")
        #expect(resolver.credential(for: ProviderRef(family: .openai), keyID: "other") == "sk-f")
    }
}
