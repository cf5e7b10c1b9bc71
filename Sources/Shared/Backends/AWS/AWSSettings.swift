import GatewayCore

/// Where AWS serverless mode keeps its state, from the environment (names shared with the SAM template):
///
/// | variable | default |
/// |---|---|
/// | `SWITCHBOARD_API_KEYS_SECRET` | `/switchboard/api-keys` |
/// | `SWITCHBOARD_ROUTES_TABLE` | `switchboard-routes` |
/// | `SWITCHBOARD_QUOTAS_TABLE` | `switchboard-quotas` |
/// | `SWITCHBOARD_REQUESTS_TABLE` | `switchboard-requests` |
/// | `SWITCHBOARD_STATE_TABLE` | `switchboard-state` (stored responses, RAG jobs) |
/// | `SWITCHBOARD_AUDIT_QUEUE_URL`, `SWITCHBOARD_AUDIT_DLQ_URL`, `SWITCHBOARD_RAG_QUEUE_URL` | none |
/// | `SWITCHBOARD_MEDIA_QUEUE_URL` | none (optional) |
/// | `SWITCHBOARD_REQUESTS_TTL_DAYS` | 90 |
/// | `SWITCHBOARD_SECRETS_TTL_SECONDS` | 300 |
///
/// Parsing is pure; a malformed number is an error naming the variable (never its value's neighbours).
public struct AWSSettings: Sendable, Equatable {
    public var apiKeysSecret = "/switchboard/api-keys"
    public var routesTable = "switchboard-routes"
    public var quotasTable = "switchboard-quotas"
    public var requestsTable = "switchboard-requests"
    public var stateTable = "switchboard-state"
    public var auditQueueURL: String?
    public var auditDLQURL: String?
    public var ragQueueURL: String?
    public var mediaQueueURL: String?
    /// Days a request-log item lives (its `expiresAt`).
    public var requestsTTLDays = 90
    /// How long provider secrets (and the key map) are cached before they are read again.
    public var secretsTTLSeconds = 300

    public init() {}

    public struct InvalidSetting: Error, Sendable, Equatable, CustomStringConvertible {
        public var variable: String
        public var description: String { "\(variable) must be a positive whole number" }
    }

    public init(environment: [String: String]) throws(InvalidSetting) {
        func text(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func number(_ name: String, _ fallback: Int) throws(InvalidSetting) -> Int {
            guard let value = text(name) else { return fallback }
            guard let number = Int(value), number > 0 else { throw InvalidSetting(variable: name) }
            return number
        }
        apiKeysSecret = text("SWITCHBOARD_API_KEYS_SECRET") ?? apiKeysSecret
        routesTable = text("SWITCHBOARD_ROUTES_TABLE") ?? routesTable
        quotasTable = text("SWITCHBOARD_QUOTAS_TABLE") ?? quotasTable
        requestsTable = text("SWITCHBOARD_REQUESTS_TABLE") ?? requestsTable
        stateTable = text("SWITCHBOARD_STATE_TABLE") ?? stateTable
        auditQueueURL = text("SWITCHBOARD_AUDIT_QUEUE_URL")
        auditDLQURL = text("SWITCHBOARD_AUDIT_DLQ_URL")
        ragQueueURL = text("SWITCHBOARD_RAG_QUEUE_URL")
        mediaQueueURL = text("SWITCHBOARD_MEDIA_QUEUE_URL")
        requestsTTLDays = try number("SWITCHBOARD_REQUESTS_TTL_DAYS", requestsTTLDays)
        secretsTTLSeconds = try number("SWITCHBOARD_SECRETS_TTL_SECONDS", secretsTTLSeconds)
    }

    /// The queue URL of a topic, when configured.
    public func queueURL(for topic: QueueTopic) -> String? {
        switch topic {
        case .audit: auditQueueURL
        case .ragIngest: ragQueueURL
        case .media: mediaQueueURL
        }
    }
}
