import Foundation
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

    /// The server settings `yaml` and `environment` give.
    func server(_ yaml: String, _ environment: [String: String] = [:]) throws -> GatewayConfig.Server {
        try ConfigLoader.load(yaml: yaml, fileName: "f", environment: environment).server
    }

    @Test func eventLoopsFromTheFileOrTheEnvironment() throws {
        #expect(try server("").eventLoops == nil)
        #expect(try server("server: { event_loops: 3 }").eventLoops == 3)
        #expect(try server("server: { event_loops: 3 }", ["SWITCHBOARD_EVENT_LOOPS": "2"]).eventLoops == 2)
        expectRejected([
            ("server: { event_loops: 0 }", [:], "server.event_loops: must be an integer ≥ 1"),
            ("", ["SWITCHBOARD_EVENT_LOOPS": "many"], "SWITCHBOARD_EVENT_LOOPS: must be an integer from 1 to 1024"),
            ("", ["SWITCHBOARD_EVENT_LOOPS": "0"], "SWITCHBOARD_EVENT_LOOPS: must be an integer from 1 to 1024"),
        ])
    }

    /// Each (file, environment) is refused with a problem that contains the message.
    func expectRejected(_ cases: [(yaml: String, environment: [String: String], message: String)]) {
        for (yaml, environment, message) in cases {
            do {
                _ = try ConfigLoader.load(yaml: yaml, fileName: "f", environment: environment)
                Issue.record("accepted \(yaml) \(environment)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    @Test func loopRequestsFromTheFileOrTheEnvironment() throws {
        #expect(try server("").loopRequests == 1)
        #expect(try server("server: { loop_requests: 0 }").loopRequests == 0)
        #expect(try server("server: { loop_requests: 0 }", ["SWITCHBOARD_LOOP_REQUESTS": "4"]).loopRequests == 4)
        expectRejected([
            ("server: { loop_requests: -1 }", [:], "server.loop_requests: must be an integer ≥ 0"),
            ("", ["SWITCHBOARD_LOOP_REQUESTS": "few"], "SWITCHBOARD_LOOP_REQUESTS: must be an integer ≥ 0"),
            ("", ["SWITCHBOARD_LOOP_REQUESTS": "-2"], "SWITCHBOARD_LOOP_REQUESTS: must be an integer ≥ 0"),
        ])
    }

    @Test func theFastPathFromTheFileOrTheEnvironment() throws {
        #expect(try server("").fastPath)
        #expect(try !server("server: { fast_path: false }").fastPath)
        #expect(try server("server: { fast_path: false }", ["SWITCHBOARD_FAST_PATH": "on"]).fastPath)
        #expect(try !server("", ["SWITCHBOARD_FAST_PATH": "0"]).fastPath)
        expectRejected([
            ("server: { fast_path: sometimes }", [:], "server.fast_path: must be true or false"),
            ("", ["SWITCHBOARD_FAST_PATH": "maybe"], "SWITCHBOARD_FAST_PATH: must be true or false"),
        ])
    }

    /// The edge in front of the router waits as long as the router's attempts may take: each one's connect and
    /// longest wait (a buffered call's whole request timeout, or a stream's idle timeout) and the longest backoff.
    @Test func theEdgeWaitsForEveryAttemptTheRouterMayMake() throws {
        let defaults = try ConfigLoader.load(yaml: "", fileName: "f", environment: [:])
        #expect(defaults.longestServiceSilenceSeconds == 3 * (10 + 600 + 2))
        let yaml = """
            upstream: { connect_timeout_seconds: 2, request_timeout_seconds: 30, stream_idle_timeout_seconds: 60 }
            retry: { max_attempts: 2, backoff_max_ms: 500 }
            """
        let config = try ConfigLoader.load(yaml: yaml, fileName: "f", environment: [:])
        #expect(config.longestServiceSilenceSeconds == 2 * (2 + 60 + 0.5))
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

@Suite struct ProviderConfigTests {
    @Test func anthropicBedrockAndGoogleCredentialsFromTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = directory.appendingPathComponent("sa.json")
        try Data(#"{"type":"service_account"}"#.utf8).write(to: credentials)
        let config = try ConfigLoader.load(
            yaml: """
                providers:
                  anthropic: { api_key: sk-ant-file, version: "2024-01-01", default_max_tokens: 1024 }
                  bedrock: { region: eu-west-1, base_url: "http://127.0.0.1:9" }
                  openai_compatible:
                    vertex: { base_url: "https://vertex.example/v1", credentials_file: "\(credentials.path)" }
                routes:
                  claude: { targets: [{ provider: anthropic, model: claude-sonnet-4-5 }] }
                  nova: { targets: [{ provider: bedrock, model: "amazon.nova-lite-v1:0", key_id: prod }] }
                """, fileName: "t.yaml", environment: [:])
        #expect(config.anthropic.profile.apiKey == "sk-ant-file")
        #expect(config.anthropic.version == "2024-01-01")
        #expect(config.anthropic.defaultMaxTokens == 1024)
        #expect(config.bedrock.region == "eu-west-1")
        #expect(config.bedrock.baseURL == "http://127.0.0.1:9")
        #expect(config.compatible["vertex"]?.googleCredentialsJSON == #"{"type":"service_account"}"#)
        #expect(config.routes.map { $0.targets[0].provider.description }.sorted() == ["anthropic", "bedrock"])
        #expect(config.routes.first { $0.alias == "nova" }?.targets[0].keyID == "prod")
    }

    @Test func environmentConfiguresAnthropicBedrockAndVertex() throws {
        let config = try ConfigLoader.load(
            yaml: "", fileName: "t.yaml",
            environment: [
                "ANTHROPIC_API_KEY": "sk-ant-env", "ANTHROPIC_BASE_URL": "http://127.0.0.1:1",
                "BEDROCK_BASE_URL": "http://127.0.0.1:2", "OPENAI_COMPAT_VERTEX_BASE_URL": "https://v.example/v1",
                "OPENAI_COMPAT_VERTEX_CREDENTIALS_JSON": "{}",
            ])
        #expect(config.anthropic.profile.apiKey == "sk-ant-env")
        #expect(config.anthropic.profile.baseURL == "http://127.0.0.1:1")
        #expect(config.bedrock.baseURL == "http://127.0.0.1:2")
        #expect(config.compatible["vertex"]?.googleCredentialsJSON == "{}")
        let resolver = CredentialResolver(config: config)
        #expect(resolver.credential(for: ProviderRef(family: .anthropic), keyID: nil) == "sk-ant-env")
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(
                yaml: "", fileName: "t.yaml",
                environment: [
                    "OPENAI_COMPAT_VERTEX_BASE_URL": "https://v",
                    "OPENAI_COMPAT_VERTEX_CREDENTIALS_FILE": "/nonexistent/sa.json",
                ])
        }
    }

    @Test func defaultRoutesServeAnthropicAndBedrockWhenTheirCredentialsExist() throws {
        let config = try ConfigLoader.load(
            yaml: "", fileName: "t.yaml",
            environment: ["ANTHROPIC_API_KEY": "k", "AWS_ACCESS_KEY_ID": "AKID", "OPENAI_API_KEY": "sk"])
        let routes = Dictionary(uniqueKeysWithValues: config.routes.map { ($0.alias, $0) })
        #expect(routes["claude-sonnet"]?.targets.first?.provider.family == .anthropic)
        #expect(routes["nova-lite"]?.targets.first?.model == "amazon.nova-lite-v1:0")
        #expect(routes["fast"]?.targets.map(\.weight) == [60, 40])
        #expect(routes["fast"]?.targets.map(\.provider.family) == [.openai, .bedrock])
        let bare = try ConfigLoader.load(yaml: "", fileName: "t.yaml", environment: [:])
        #expect(!bare.routes.contains { $0.alias == "claude-sonnet" || $0.alias == "nova-lite" })
    }

    /// The documented example stays valid.
    @Test func theExampleFileLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = try ConfigLoader.load(
            path: root.appendingPathComponent("switchboard.example.yaml").path, environment: [:])
        #expect(config.routes.contains { $0.alias == "claude-sonnet" })
        #expect(config.anthropic.defaultMaxTokens == 4096)
        let sonnet = config.pricing.price(
            provider: "bedrock", model: "anthropic.claude-sonnet-4-5-20250929-v1:0", on: CalendarDay("2026-11-29")!)
        #expect(sonnet?.price.cacheWritePerMillion == USD("4.125"))
        #expect(
            config.pricing.price(provider: nil, model: "my-finetune", on: CalendarDay("2026-08-01")!)?.price
                .inputPerMillion == USD("0.25"))
    }
}
