/// Everything a gateway process is configured with: one YAML file, then environment variables, then flags.
public struct GatewayConfig: Sendable {
    public struct Listen: Sendable, Equatable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        /// Parses `host:port`, `:port` or `[::1]:port`.
        public init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public struct CORS: Sendable, Equatable {
        /// `*` or exact origins.
        public var allowedOrigins: [String]
        public var allowedHeaders: [String]
        public var maxAgeSeconds: Int
        public init(allowedOrigins: [String], allowedHeaders: [String], maxAgeSeconds: Int) {
            self.allowedOrigins = allowedOrigins
            self.allowedHeaders = allowedHeaders
            self.maxAgeSeconds = maxAgeSeconds
        }
    }

    public struct Server: Sendable, Equatable {
        public var maxBodyBytes = 4 * 1024 * 1024
        public var maxJSONDepth = 64
        /// How long in-flight streams may run on after SIGTERM before they are ended.
        public var drainTimeoutSeconds = 30.0
        public var cors: CORS?
        /// SwiftNIO event loops for network I/O; nil: half the cores, at least one (`ProcessBootstrap.eventLoops`).
        public var eventLoops: Int?
        /// While at most this many requests are in flight, their work runs on the event loop that does their I/O
        /// instead of Swift's thread pool (no hand-offs between threads, lower latency at low load); 0: never.
        public var loopRequests = 1
        /// Embedded mode answers buffered chat and completions calls to plain-HTTP OpenAI-family targets on the
        /// event loop when it can (`FastChatHandler`); false: every request takes the regular path.
        public var fastPath = true
        public init() {}
    }

    public struct Upstream: Sendable, Equatable {
        public var connectTimeoutSeconds = 10.0
        /// Deadline for a whole buffered call (no other timeout cuts it short).
        public var requestTimeoutSeconds = 600.0
        /// Longest silence of a stream: from sending the request to its first byte, then between two bytes.
        public var streamIdleTimeoutSeconds = 120.0
        /// Connections kept per upstream host.
        public var connectionsPerHost = 64
        public var maxResponseBytes = 64 * 1024 * 1024
        public init() {}
    }

    public struct Retry: Sendable, Equatable {
        /// Attempts per request across all targets and fallbacks.
        public var maxAttempts = 3
        public var backoffBaseMilliseconds = 50.0
        public var backoffMaxMilliseconds = 2000.0
        public init() {}
    }

    /// Default limits for tenants (per key limits come from the key).
    public struct Limits: Sendable, Equatable {
        public var tenantRPM: Int? = 60
        public var tenantRPD: Int? = 1000
        public init() {}
    }

    public struct OpenAIProfile: Sendable, Equatable {
        public var baseURL: String
        public var apiKey: String?
        /// Named keys for `key_id` on targets.
        public var keyPool: [String: String]
        /// Google credentials JSON (service account) for upstreams that take Google OAuth tokens (Vertex AI);
        /// when set, the gateway exchanges a signed JWT for access tokens instead of sending `api_key`.
        public var googleCredentialsJSON: String?
        public init(
            baseURL: String, apiKey: String? = nil, keyPool: [String: String] = [:],
            googleCredentialsJSON: String? = nil
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.keyPool = keyPool
            self.googleCredentialsJSON = googleCredentialsJSON
        }
    }

    /// The Anthropic Messages API.
    public struct Anthropic: Sendable, Equatable {
        public var profile = OpenAIProfile(baseURL: "https://api.anthropic.com")
        /// The `anthropic-version` header.
        public var version = "2023-06-01"
        /// `max_tokens` sent when the client gives none (Anthropic requires one).
        public var defaultMaxTokens = 4096
        public init() {}
    }

    /// AWS Bedrock runtime (Converse API). Credentials come from the standard AWS chain; a target's `key_id`
    /// names an AWS profile of the shared credentials files.
    public struct Bedrock: Sendable, Equatable {
        /// Region; else `AWS_REGION` / `AWS_DEFAULT_REGION`; else us-east-1.
        public var region: String?
        /// Endpoint override (a VPC endpoint, a test double); default `https://bedrock-runtime.<region>.amazonaws.com`.
        public var baseURL: String?
        /// `maxTokens` sent to Claude models when the client gives none.
        public var defaultMaxTokens = 4096
        public init() {}
    }

    public struct Mock: Sendable, Equatable {
        public var streamDelayMilliseconds = 15.0
        public init() {}
    }

    public var listen = Listen(host: "127.0.0.1", port: 8080)
    public var dataDirectory = ".switchboard"
    public var logLevel = "info"
    /// `json` (default) or `text`.
    public var logFormat = "json"
    public var server = Server()
    public var upstream = Upstream()
    public var retry = Retry()
    public var circuitBreaker = CircuitBreaker.Settings()
    public var limits = Limits()
    public var keyCacheSeconds = 5.0
    public var routesRefreshSeconds = 5.0
    public var openAI = OpenAIProfile(baseURL: "https://api.openai.com/v1")
    /// `openai_compatible:<profile>` upstreams by lowercased profile.
    public var compatible: [String: OpenAIProfile] = [:]
    public var anthropic = Anthropic()
    public var bedrock = Bedrock()
    public var mock = Mock()
    /// Routes from the file (or the defaults); live routes from the route store override them per alias.
    public var routes: [Route] = []
    /// RAG defaults (`rag` section).
    public var rag = RAGDefaults()
    /// Where RAG vectors live (`rag.store`).
    public var ragStore = RAGStoreConfig.sqlite
    /// The self-hosted queue's Kafka cluster (`kafka` section); nil when the file has none.
    public var kafka: KafkaSettings?
    /// Prices of models: the built-in list, with the file's `pricing` section replacing whole models.
    public var pricing = PriceCatalogue.standard()
    /// Whether `routes` came from the built-in defaults rather than the file.
    public var usingDefaultRoutes = true
    /// The process environment the configuration was read with (credentials are resolved from it on use).
    public var environment: [String: String] = [:]

    public init() {}

    /// Longest a gateway service (the router) may stay silent while it answers one request, so that the edge
    /// in front of it waits at least that long: every attempt may connect and then wait a whole request timeout
    /// (or a stream's idle timeout), with the longest backoff before each retry.
    public var longestServiceSilenceSeconds: Double {
        let attempt =
            upstream.connectTimeoutSeconds + max(upstream.requestTimeoutSeconds, upstream.streamIdleTimeoutSeconds)
        return Double(max(retry.maxAttempts, 1)) * (attempt + retry.backoffMaxMilliseconds / 1000)
    }
}
