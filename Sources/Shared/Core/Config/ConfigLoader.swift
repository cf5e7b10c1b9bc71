import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads the YAML file, applies environment overrides, validates everything and reports every problem at once.
public enum ConfigLoader {
    /// Load `path` (nil: defaults only), then the environment.
    public static func load(path: String?, environment: [String: String]) throws(ConfigError) -> GatewayConfig {
        var text = ""
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(["\(path): cannot read the file"])
            }
            text = String(decoding: data, as: UTF8.self)
        }
        return try load(yaml: text, fileName: path ?? "<defaults>", environment: environment)
    }

    public static func load(
        yaml: String, fileName: String, environment: [String: String]
    ) throws(ConfigError)
        -> GatewayConfig
    {
        let tree: YAMLTree
        do {
            tree = try YAMLTree.parse(yaml)
        } catch {
            throw ConfigError(error.problems.map { "\(fileName): \($0)" })
        }
        var reader = ConfigReader(fileName: fileName, lines: tree.lines)
        var config = GatewayConfig()
        config.environment = environment
        reader.read(tree.root, into: &config)
        reader.applyEnvironment(environment, to: &config)
        if config.routes.isEmpty {
            config.routes = DefaultRoutes.routes(for: config)
            config.usingDefaultRoutes = true
        }
        for problem in RouteTable(routes: config.routes).referenceProblems() {
            reader.problems.append("\(fileName): \(problem)")
        }
        if !reader.problems.isEmpty { throw ConfigError(reader.problems) }
        return config
    }
}

/// Walks the document, recording unknown keys and wrong types with their path and line.
struct ConfigReader {
    let fileName: String
    let lines: [String: Int]
    var problems: [String] = []

    init(fileName: String, lines: [String: Int]) {
        self.fileName = fileName
        self.lines = lines
    }

    mutating func problem(_ path: String, _ message: String) {
        let line = lines[path].map { ":\($0)" } ?? ""
        problems.append("\(fileName)\(line): \(path.isEmpty ? "<root>" : path): \(message)")
    }

    mutating func object(_ value: JSONValue, _ path: String, allowed: [String]) -> JSONObject? {
        guard case .object(let object) = value else {
            problem(path, "must be a mapping")
            return nil
        }
        for key in object.keys where !allowed.contains(key) {
            problem(
                path.isEmpty ? key : "\(path).\(key)",
                "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
        }
        return object
    }

    mutating func string(_ object: JSONObject, _ key: String, _ path: String) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        if let text = value.stringValue { return text }
        if case .number(let number) = value { return number.raw }
        problem(join(path, key), "must be a string")
        return nil
    }

    mutating func number(_ object: JSONObject, _ key: String, _ path: String, min: Double = 0) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue, number >= min else {
            problem(join(path, key), "must be a number ≥ \(formatted(min))")
            return nil
        }
        return number
    }

    mutating func integer(_ object: JSONObject, _ key: String, _ path: String, min: Int = 0) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue, number >= min else {
            problem(join(path, key), "must be an integer ≥ \(min)")
            return nil
        }
        return number
    }

    mutating func boolean(_ object: JSONObject, _ key: String, _ path: String) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else {
            problem(join(path, key), "must be true or false")
            return nil
        }
        return flag
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func formatted(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }

    mutating func read(_ root: JSONValue, into config: inout GatewayConfig) {
        guard
            let top = object(
                root, "",
                allowed: [
                    "listen", "data_dir", "log_level", "log_format", "server", "upstream", "retry", "circuit_breaker",
                    "limits", "keys", "routes_refresh_seconds", "providers", "routes", "pricing", "rag",
                    "kafka",
                ])
        else { return }
        if let text = string(top, "listen", "") {
            if let listen = GatewayConfig.Listen(text) {
                config.listen = listen
            } else {
                problem("listen", "must be host:port, e.g. 127.0.0.1:8080")
            }
        }
        if let text = string(top, "data_dir", "") { config.dataDirectory = text }
        if let text = string(top, "log_level", "") {
            if ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(text) {
                config.logLevel = text
            } else {
                problem("log_level", "must be one of trace, debug, info, notice, warning, error, critical")
            }
        }
        if let text = string(top, "log_format", "") {
            if ["json", "text"].contains(text) {
                config.logFormat = text
            } else {
                problem("log_format", "must be json or text")
            }
        }
        if let value = top["server"],
            let server = object(
                value, "server",
                allowed: [
                    "max_body_bytes", "max_json_depth", "drain_timeout_seconds", "event_loops", "loop_requests", "cors",
                    "fast_path",
                ])
        {
            if let v = integer(server, "event_loops", "server", min: 1) { config.server.eventLoops = v }
            if let v = integer(server, "loop_requests", "server", min: 0) { config.server.loopRequests = v }
            if let v = boolean(server, "fast_path", "server") { config.server.fastPath = v }
            if let v = integer(server, "max_body_bytes", "server", min: 1024) { config.server.maxBodyBytes = v }
            if let v = integer(server, "max_json_depth", "server", min: 2) { config.server.maxJSONDepth = v }
            if let v = number(server, "drain_timeout_seconds", "server") { config.server.drainTimeoutSeconds = v }
            if let value = server["cors"],
                let cors = object(
                    value, "server.cors", allowed: ["allowed_origins", "allowed_headers", "max_age_seconds"])
            {
                let origins = stringList(cors, "allowed_origins", "server.cors") ?? ["*"]
                let headers =
                    stringList(cors, "allowed_headers", "server.cors") ?? [
                        "authorization", "content-type", "openai-organization", "openai-project", "x-request-id",
                        "x-stainless-*",
                    ]
                let maxAge = integer(cors, "max_age_seconds", "server.cors") ?? 600
                config.server.cors = .init(allowedOrigins: origins, allowedHeaders: headers, maxAgeSeconds: maxAge)
            }
        }
        if let value = top["upstream"],
            let upstream = object(
                value, "upstream",
                allowed: [
                    "connect_timeout_seconds", "request_timeout_seconds", "stream_idle_timeout_seconds",
                    "connections_per_host", "max_response_bytes",
                ])
        {
            if let v = number(upstream, "connect_timeout_seconds", "upstream", min: 0.001) {
                config.upstream.connectTimeoutSeconds = v
            }
            if let v = number(upstream, "request_timeout_seconds", "upstream", min: 0.001) {
                config.upstream.requestTimeoutSeconds = v
            }
            if let v = number(upstream, "stream_idle_timeout_seconds", "upstream", min: 0.001) {
                config.upstream.streamIdleTimeoutSeconds = v
            }
            if let v = integer(upstream, "connections_per_host", "upstream", min: 1) {
                config.upstream.connectionsPerHost = v
            }
            if let v = integer(upstream, "max_response_bytes", "upstream", min: 1024) {
                config.upstream.maxResponseBytes = v
            }
        }
        if let value = top["retry"],
            let retry = object(
                value, "retry", allowed: ["max_attempts", "backoff_base_ms", "backoff_max_ms"])
        {
            if let v = integer(retry, "max_attempts", "retry", min: 1) { config.retry.maxAttempts = v }
            if let v = number(retry, "backoff_base_ms", "retry") { config.retry.backoffBaseMilliseconds = v }
            if let v = number(retry, "backoff_max_ms", "retry") { config.retry.backoffMaxMilliseconds = v }
        }
        if let value = top["circuit_breaker"],
            let breaker = object(
                value, "circuit_breaker", allowed: ["failure_threshold", "open_seconds"])
        {
            let threshold =
                integer(breaker, "failure_threshold", "circuit_breaker", min: 1)
                ?? config.circuitBreaker.failureThreshold
            let open = number(breaker, "open_seconds", "circuit_breaker").map { Duration.milliseconds(Int($0 * 1000)) }
            config.circuitBreaker = .init(
                failureThreshold: threshold, openDuration: open ?? config.circuitBreaker.openDuration)
        }
        if let value = top["limits"], let limits = object(value, "limits", allowed: ["rpm", "rpd"]) {
            if limits["rpm"] != nil { config.limits.tenantRPM = integer(limits, "rpm", "limits", min: 1) }
            if limits["rpd"] != nil { config.limits.tenantRPD = integer(limits, "rpd", "limits", min: 1) }
        }
        if let value = top["keys"], let keys = object(value, "keys", allowed: ["cache_seconds"]) {
            if let v = number(keys, "cache_seconds", "keys") { config.keyCacheSeconds = v }
        }
        if let v = number(top, "routes_refresh_seconds", "") { config.routesRefreshSeconds = v }
        if let value = top["providers"] { readProviders(value, into: &config) }
        if let value = top["rag"] {
            readRAG(value, into: &config.rag, store: &config.ragStore, environment: config.environment)
        }
        // The `kafka` section, or the environment alone (SWITCHBOARD_KAFKA_BROKERS and property passthrough).
        if let value = top["kafka"] {
            readKafka(value, into: &config.kafka, environment: config.environment)
        } else if let brokers = config.environment["SWITCHBOARD_KAFKA_BROKERS"], !brokers.allSatisfy(\.isWhitespace) {
            readKafka(.object([:]), into: &config.kafka, environment: config.environment)
        }
        if let value = top["pricing"] { config.pricing = .standard(overrides: readPricing(value)) }
        if let value = top["routes"],
            let routes = object(value, "routes", allowed: Array(value.objectValue?.keys ?? []))
        {
            config.usingDefaultRoutes = false
            for (alias, definition) in routes {
                switch RouteParsing.parse(alias: alias, definition: definition, path: "routes.\(alias)") {
                case .success(let route): config.routes.append(route)
                case .failure(let failure):
                    for message in failure.messages {
                        let path = String(message.prefix { $0 != ":" })
                        problem(path, String(message.dropFirst(path.count + 2)))
                    }
                }
            }
        }
    }

    mutating func stringList(_ object: JSONObject, _ key: String, _ path: String) -> [String]? {
        guard let value = object[key] else { return nil }
        guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
            problem(join(path, key), "must be a list of strings")
            return nil
        }
        return items.compactMap(\.stringValue)
    }

    mutating func readProviders(_ value: JSONValue, into config: inout GatewayConfig) {
        guard
            let providers = object(
                value, "providers", allowed: ["openai", "openai_compatible", "anthropic", "bedrock", "mock"])
        else {
            return
        }
        if let value = providers["openai"], let profile = readProfile(value, "providers.openai") {
            config.openAI = GatewayConfig.OpenAIProfile(
                baseURL: profile.baseURL.isEmpty ? config.openAI.baseURL : profile.baseURL, apiKey: profile.apiKey,
                keyPool: profile.keyPool)
        }
        if let value = providers["openai_compatible"], case .object(let profiles) = value {
            for (name, body) in profiles {
                let path = "providers.openai_compatible.\(name)"
                guard let profile = readProfile(body, path, extra: ["credentials_file"]) else { continue }
                if profile.baseURL.isEmpty { problem(path + ".base_url", "required") }
                config.compatible[name.lowercased()] = profile
            }
        } else if providers["openai_compatible"] != nil {
            problem("providers.openai_compatible", "must be a mapping of profile name to {base_url, api_key}")
        }
        if let value = providers["anthropic"],
            let profile = readProfile(value, "providers.anthropic", extra: ["version", "default_max_tokens"])
        {
            config.anthropic.profile = GatewayConfig.OpenAIProfile(
                baseURL: profile.baseURL.isEmpty ? config.anthropic.profile.baseURL : profile.baseURL,
                apiKey: profile.apiKey, keyPool: profile.keyPool)
            if let body = value.objectValue {
                if let version = string(body, "version", "providers.anthropic") { config.anthropic.version = version }
                if let tokens = integer(body, "default_max_tokens", "providers.anthropic", min: 1) {
                    config.anthropic.defaultMaxTokens = tokens
                }
            }
        }
        if let value = providers["bedrock"],
            let bedrock = object(value, "providers.bedrock", allowed: ["region", "base_url"])
        {
            config.bedrock.region = string(bedrock, "region", "providers.bedrock")
            if let base = string(bedrock, "base_url", "providers.bedrock") {
                if !(base.hasPrefix("http://") || base.hasPrefix("https://")) {
                    problem("providers.bedrock.base_url", "must be an http:// or https:// URL")
                }
                config.bedrock.baseURL = base
            }
        }
        if let value = providers["mock"], let mock = object(value, "providers.mock", allowed: ["stream_delay_ms"]) {
            if let v = number(mock, "stream_delay_ms", "providers.mock") { config.mock.streamDelayMilliseconds = v }
        }
    }

    mutating func readProfile(
        _ value: JSONValue, _ path: String, extra: [String] = []
    ) -> GatewayConfig.OpenAIProfile? {
        guard let body = object(value, path, allowed: ["base_url", "api_key", "key_pool"] + extra) else { return nil }
        let base = string(body, "base_url", path) ?? ""
        if !base.isEmpty, !(base.hasPrefix("http://") || base.hasPrefix("https://")) {
            problem(path + ".base_url", "must be an http:// or https:// URL")
        }
        var pool: [String: String] = [:]
        if let value = body["key_pool"] {
            if case .object(let entries) = value {
                for (id, key) in entries {
                    if let text = key.stringValue {
                        pool[id] = text
                    } else {
                        problem("\(path).key_pool.\(id)", "must be a string")
                    }
                }
            } else {
                problem(path + ".key_pool", "must be a mapping of key id to key")
            }
        }
        var credentials: String?
        if let file = string(body, "credentials_file", path) {
            credentials = Self.readFile(file)
            if credentials == nil { problem(path + ".credentials_file", "cannot read \(file)") }
        }
        return GatewayConfig.OpenAIProfile(
            baseURL: base, apiKey: string(body, "api_key", path), keyPool: pool, googleCredentialsJSON: credentials)
    }

    /// The text of a credentials file (it is parsed when first used, so a malformed one fails that provider).
    static func readFile(_ file: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// The environment variable `name` as an integer in `range`; nil when unset or empty, and a problem when it is
    /// not one.
    mutating func integer(_ env: [String: String], _ name: String, in range: ClosedRange<Int>, rule: String) -> Int? {
        guard let text = env[name], !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problems.append("environment: \(name): must be \(rule)")
            return nil
        }
        return value
    }

    /// Environment variables override the file.
    mutating func applyEnvironment(_ env: [String: String], to config: inout GatewayConfig) {
        if let text = env["SWITCHBOARD_LISTEN"] {
            if let listen = GatewayConfig.Listen(text) {
                config.listen = listen
            } else {
                problems.append("environment: SWITCHBOARD_LISTEN: must be host:port")
            }
        }
        if let text = env["SWITCHBOARD_DATA_DIR"], !text.isEmpty { config.dataDirectory = text }
        if let text = env["SWITCHBOARD_LOG_LEVEL"] ?? env["LOG_LEVEL"], !text.isEmpty { config.logLevel = text }
        if let text = env["SWITCHBOARD_LOG_FORMAT"], !text.isEmpty { config.logFormat = text }
        if let value = integer(env, "SWITCHBOARD_EVENT_LOOPS", in: 1...1024, rule: "an integer from 1 to 1024") {
            config.server.eventLoops = value
        }
        if let value = integer(env, "SWITCHBOARD_LOOP_REQUESTS", in: 0...Int.max, rule: "an integer ≥ 0") {
            config.server.loopRequests = value
        }
        if let text = env["SWITCHBOARD_FAST_PATH"], !text.isEmpty {
            switch text.lowercased() {
            case "1", "true", "on", "yes": config.server.fastPath = true
            case "0", "false", "off", "no": config.server.fastPath = false
            default: problems.append("environment: SWITCHBOARD_FAST_PATH: must be true or false")
            }
        }
        for (name, keyPath) in [("RPM_LIMIT", \GatewayConfig.limits.tenantRPM), ("RPD_LIMIT", \.limits.tenantRPD)] {
            guard let text = env[name] else { continue }
            if text.isEmpty || text == "0" || text == "off" {
                config[keyPath: keyPath] = nil
            } else if let value = Int(text), value > 0 {
                config[keyPath: keyPath] = value
            } else {
                problems.append("environment: \(name): must be a positive integer, or 0/off to disable")
            }
        }
        if let base = env["OPENAI_BASE_URL"], !base.isEmpty { config.openAI.baseURL = base }
        if let key = env["OPENAI_API_KEY"], !key.isEmpty { config.openAI.apiKey = key }
        // OPENAI_COMPAT_<PROFILE>_BASE_URL declares (or overrides) a profile.
        for (name, value) in env where name.hasPrefix("OPENAI_COMPAT_") && name.hasSuffix("_BASE_URL") {
            let profile = String(name.dropFirst("OPENAI_COMPAT_".count).dropLast("_BASE_URL".count)).lowercased()
            guard !profile.isEmpty, !value.isEmpty else { continue }
            var existing = config.compatible[profile] ?? GatewayConfig.OpenAIProfile(baseURL: value)
            existing.baseURL = value
            config.compatible[profile] = existing
        }
        for (profile, var settings) in config.compatible {
            let stem = "OPENAI_COMPAT_" + EnvironmentName.normalize(profile)
            if let key = env[stem + "_API_KEY"], !key.isEmpty { settings.apiKey = key }
            if let json = env[stem + "_CREDENTIALS_JSON"], !json.isEmpty {
                settings.googleCredentialsJSON = json
            } else if let file = env[stem + "_CREDENTIALS_FILE"], !file.isEmpty {
                settings.googleCredentialsJSON = Self.readFile(file)
                if settings.googleCredentialsJSON == nil {
                    problems.append("environment: \(stem)_CREDENTIALS_FILE: cannot read \(file)")
                }
            }
            config.compatible[profile] = settings
        }
        if let base = env["ANTHROPIC_BASE_URL"], !base.isEmpty { config.anthropic.profile.baseURL = base }
        if let key = env["ANTHROPIC_API_KEY"], !key.isEmpty { config.anthropic.profile.apiKey = key }
        if let base = env["BEDROCK_BASE_URL"] ?? env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"], !base.isEmpty {
            config.bedrock.baseURL = base
        }
    }
}
