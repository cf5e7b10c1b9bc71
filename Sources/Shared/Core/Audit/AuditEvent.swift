import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What happened to one request, success or failure; exactly one per request.
public struct AuditEvent: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable, Equatable {
        /// The response was delivered completely.
        case success
        /// The gateway answered with an error status (rejections included).
        case error
        /// The client went away before the response was complete.
        case clientDisconnect = "client_disconnect"
        /// A stream that had started failed upstream (the client got an SSE error event).
        case streamError = "stream_error"
    }

    /// One call to one upstream target.
    public struct Attempt: Sendable, Equatable {
        public var provider: String
        public var model: String
        public var keyID: String?
        public var endpoint: String
        /// `ok` or the provider error kind.
        public var result: String
        public var httpStatus: Int?
        public var latencyMs: Double

        public init(
            provider: String, model: String, keyID: String?, endpoint: String, result: String, httpStatus: Int?,
            latencyMs: Double
        ) {
            self.provider = provider
            self.model = model
            self.keyID = keyID
            self.endpoint = endpoint
            self.result = result
            self.httpStatus = httpStatus
            self.latencyMs = latencyMs
        }
    }

    public var requestID: String
    public var timestamp: Date
    public var tenant: String?
    public var keyID: String?
    public var keyLabel: String?
    public var method: String
    public var path: String
    /// The model alias the client asked for.
    public var alias: String?
    /// The provider and model that served (or last failed).
    public var provider: String?
    public var providerModel: String?
    public var attempts: [Attempt]
    public var stream: Bool
    public var outcome: Outcome
    public var httpStatus: Int
    public var errorCode: String?
    public var latencyMs: Double
    public var timeToFirstByteMs: Double?
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var cachedTokens: Int?
    /// Input tokens written to a prompt cache (Anthropic, Bedrock).
    public var cacheCreationTokens: Int?
    /// Output tokens spent reasoning, where the provider reports them.
    public var reasoningTokens: Int?
    /// The billable units of media requests (nil for other requests).
    public var media: MediaUnits?
    /// Tokens embedded for a request that also generated (a RAG query embeds its question), with the
    /// embedding target; `promptTokens` and `completionTokens` are the generation's.
    public var embedding: EmbeddingUse?
    /// What the request cost, priced by the audit consumer when it writes the event to the log.
    public var cost: USD?
    /// Why the request has no cost although it used something (its model has no price, for example).
    public var unpricedReason: String?

    public init(
        requestID: String, timestamp: Date, tenant: String? = nil, keyID: String? = nil, keyLabel: String? = nil,
        method: String, path: String, alias: String? = nil, provider: String? = nil, providerModel: String? = nil,
        attempts: [Attempt] = [], stream: Bool = false, outcome: Outcome, httpStatus: Int, errorCode: String? = nil,
        latencyMs: Double, timeToFirstByteMs: Double? = nil, promptTokens: Int? = nil, completionTokens: Int? = nil,
        cachedTokens: Int? = nil, cacheCreationTokens: Int? = nil, reasoningTokens: Int? = nil,
        media: MediaUnits? = nil, embedding: EmbeddingUse? = nil, cost: USD? = nil, unpricedReason: String? = nil
    ) {
        self.requestID = requestID
        self.timestamp = timestamp
        self.tenant = tenant
        self.keyID = keyID
        self.keyLabel = keyLabel
        self.method = method
        self.path = path
        self.alias = alias
        self.provider = provider
        self.providerModel = providerModel
        self.attempts = attempts
        self.stream = stream
        self.outcome = outcome
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.latencyMs = latencyMs
        self.timeToFirstByteMs = timeToFirstByteMs
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedTokens = cachedTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.reasoningTokens = reasoningTokens
        self.media = media
        self.embedding = embedding
        self.cost = cost
        self.unpricedReason = unpricedReason
    }

    /// Prices the event with a catalogue, unless it already carries a cost or the reason it has none.
    public mutating func price(with catalogue: PriceCatalogue) {
        guard cost == nil && unpricedReason == nil else { return }
        switch catalogue.cost(of: self) {
        case .priced(let amount): cost = amount
        case .unpriced(let reason): unpricedReason = reason
        }
    }

    /// The embedding part of a request that embeds and generates.
    public struct EmbeddingUse: Sendable, Equatable {
        public var provider: String
        public var model: String
        public var tokens: Int

        public init(provider: String, model: String, tokens: Int) {
            self.provider = provider
            self.model = model
            self.tokens = tokens
        }
    }

    public var totalTokens: Int? {
        guard promptTokens != nil || completionTokens != nil else { return nil }
        return (promptTokens ?? 0) + (completionTokens ?? 0)
    }

}

/// The one JSON form of audit events on every queue and in every log. Hand-written over `JSONValue` (not
/// `JSONEncoder`): it runs for every request, and is several times faster this way.
public enum AuditCodec {
    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func encode(_ event: AuditEvent) throws -> [UInt8] {
        var object = JSONObjectWriter(capacity: 640)
        object.string("request_id", event.requestID)
        object.int("timestamp", Int((event.timestamp.timeIntervalSince1970 * 1000).rounded()))
        object.string("tenant", event.tenant)
        object.string("key_id", event.keyID)
        object.string("key_label", event.keyLabel)
        object.string("method", event.method)
        object.string("path", event.path)
        object.string("alias", event.alias)
        object.string("provider", event.provider)
        object.string("provider_model", event.providerModel)
        object.objects("attempts", event.attempts) { item, attempt in
            item.string("provider", attempt.provider)
            item.string("model", attempt.model)
            item.string("key_id", attempt.keyID)
            item.string("endpoint", attempt.endpoint)
            item.string("result", attempt.result)
            item.int("http_status", attempt.httpStatus)
            milliseconds("latency_ms", attempt.latencyMs, into: &item)
        }
        object.bool("stream", event.stream)
        object.string("outcome", event.outcome.rawValue)
        object.int("http_status", event.httpStatus)
        object.string("error_code", event.errorCode)
        milliseconds("latency_ms", event.latencyMs, into: &object)
        if let ttfb = event.timeToFirstByteMs {
            milliseconds("ttfb_ms", ttfb, into: &object)
        } else {
            object.value("ttfb_ms", .null)
        }
        object.int("prompt_tokens", event.promptTokens)
        object.int("completion_tokens", event.completionTokens)
        object.int("cached_tokens", event.cachedTokens)
        if let value = event.cacheCreationTokens { object.int("cache_creation_tokens", value) }
        if let value = event.reasoningTokens { object.int("reasoning_tokens", value) }
        event.media?.encode(into: &object)
        if let embedding = event.embedding {
            object.string("embedding_provider", embedding.provider)
            object.string("embedding_model", embedding.model)
            object.int("embedding_tokens", embedding.tokens)
        }
        if let cost = event.cost { object.number("cost_usd", raw: cost.description) }
        if let reason = event.unpricedReason { object.string("cost_unpriced", reason) }
        return object.finish()
    }

    public static func decode(_ bytes: [UInt8]) throws -> AuditEvent {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw DecodeError(description: "audit event: \(error)")
        }
        guard case .object(let o) = value, let requestID = o["request_id"]?.stringValue,
            let millis = o["timestamp"]?.doubleValue, let method = o["method"]?.stringValue,
            let path = o["path"]?.stringValue, let outcomeText = o["outcome"]?.stringValue,
            let outcome = AuditEvent.Outcome(rawValue: outcomeText), let status = o["http_status"]?.intValue
        else { throw DecodeError(description: "audit event: missing required fields") }
        let attempts = (o["attempts"]?.arrayValue ?? []).compactMap { item -> AuditEvent.Attempt? in
            guard let provider = item["provider"]?.stringValue, let model = item["model"]?.stringValue else {
                return nil
            }
            return AuditEvent.Attempt(
                provider: provider, model: model, keyID: item["key_id"]?.stringValue,
                endpoint: item["endpoint"]?.stringValue ?? "", result: item["result"]?.stringValue ?? "",
                httpStatus: item["http_status"]?.intValue, latencyMs: item["latency_ms"]?.doubleValue ?? 0)
        }
        return AuditEvent(
            requestID: requestID, timestamp: Date(timeIntervalSince1970: millis / 1000),
            tenant: o["tenant"]?.stringValue,
            keyID: o["key_id"]?.stringValue, keyLabel: o["key_label"]?.stringValue, method: method, path: path,
            alias: o["alias"]?.stringValue, provider: o["provider"]?.stringValue,
            providerModel: o["provider_model"]?.stringValue, attempts: attempts,
            stream: o["stream"]?.boolValue ?? false, outcome: outcome, httpStatus: status,
            errorCode: o["error_code"]?.stringValue, latencyMs: o["latency_ms"]?.doubleValue ?? 0,
            timeToFirstByteMs: o["ttfb_ms"]?.doubleValue, promptTokens: o["prompt_tokens"]?.intValue,
            completionTokens: o["completion_tokens"]?.intValue, cachedTokens: o["cached_tokens"]?.intValue,
            cacheCreationTokens: o["cache_creation_tokens"]?.intValue, reasoningTokens: o["reasoning_tokens"]?.intValue,
            media: AuditEvent.MediaUnits(decoding: o),
            embedding: o["embedding_model"]?.stringValue.map { model in
                AuditEvent.EmbeddingUse(
                    provider: o["embedding_provider"]?.stringValue ?? "", model: model,
                    tokens: o["embedding_tokens"]?.intValue ?? 0)
            },
            cost: o["cost_usd"].flatMap { value in
                if case .number(let number) = value { return USD(number.raw) }
                return value.stringValue.flatMap(USD.init)
            }, unpricedReason: o["cost_unpriced"]?.stringValue)
    }

    /// Milliseconds with microsecond precision, as a plain decimal.
    static func milliseconds(_ key: StaticString, _ value: Double, into object: inout JSONObjectWriter) {
        object.number(key, scaled: Int((value * 1000).rounded()), decimals: 3)
    }
}
