import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Collects what each layer learns about one request (edge: identity, status; router: alias, attempts, tokens)
/// and produces its single audit event when the response is finished.
public final class AuditRecorder: Sendable {
    public struct Fields: Sendable {
        public var method = ""
        public var path = ""
        public var tenant: String?
        public var keyID: String?
        public var keyLabel: String?
        public var alias: String?
        public var provider: String?
        public var providerModel: String?
        public var attempts: [AuditEvent.Attempt] = []
        public var stream = false
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var cachedTokens: Int?
        public var cacheCreationTokens: Int?
        public var reasoningTokens: Int?
        /// Billable units of an image or audio request.
        public var media: AuditEvent.MediaUnits?
        /// The embedding part of a request that also generates (RAG queries).
        public var embedding: AuditEvent.EmbeddingUse?
        public var timeToFirstByteMs: Double?
        public var errorCode: String?
        /// Set when a stream failed after it began (the HTTP status was already 200).
        public var streamFailed = false
    }

    public let requestID: String
    public let timestamp: Date
    public let stopwatch: Stopwatch
    let fields: Mutex<Fields> = Mutex(Fields())
    let finished: Mutex<Bool> = Mutex(false)

    public init(requestID: String, timestamp: Date = Date()) {
        self.requestID = requestID
        self.timestamp = timestamp
        self.stopwatch = Stopwatch()
    }

    public func update(_ body: (inout Fields) -> Void) {
        fields.withLock { body(&$0) }
    }

    public var snapshot: Fields { fields.withLock { $0 } }

    /// Marks the time to first byte once.
    public func markFirstByte() {
        let elapsed = stopwatch.elapsedMilliseconds
        fields.withLock { if $0.timeToFirstByteMs == nil { $0.timeToFirstByteMs = elapsed } }
    }

    /// Another process takes over this request's event (the edge, once an internal service answered: that service
    /// emits the event under the same request id); `finish` then returns nil here.
    public func handOff() {
        finished.withLock { $0 = true }
    }

    /// Builds the event, only the first time it is called (later calls return nil), so a request can never
    /// produce two events.
    public func finish(httpStatus: Int, clientDisconnected: Bool) -> AuditEvent? {
        let first = finished.withLock { done -> Bool in
            if done { return false }
            done = true
            return true
        }
        guard first else { return nil }
        let f = snapshot
        let outcome: AuditEvent.Outcome
        // A stream that failed (upstream error, or ended by the drain) may end its response by dropping the
        // connection, which looks like a disconnect from here: the failure is the cause.
        if f.streamFailed {
            outcome = .streamError
        } else if clientDisconnected {
            outcome = .clientDisconnect
        } else if httpStatus >= 400 {
            outcome = .error
        } else {
            outcome = .success
        }
        return AuditEvent(
            requestID: requestID, timestamp: timestamp, tenant: f.tenant, keyID: f.keyID, keyLabel: f.keyLabel,
            method: f.method, path: f.path, alias: f.alias, provider: f.provider, providerModel: f.providerModel,
            attempts: f.attempts, stream: f.stream, outcome: outcome, httpStatus: httpStatus,
            errorCode: f.errorCode ?? (clientDisconnected ? "client_disconnect" : nil),
            latencyMs: stopwatch.elapsedMilliseconds, timeToFirstByteMs: f.timeToFirstByteMs,
            promptTokens: f.promptTokens, completionTokens: f.completionTokens, cachedTokens: f.cachedTokens,
            cacheCreationTokens: f.cacheCreationTokens, reasoningTokens: f.reasoningTokens, media: f.media,
            embedding: f.embedding)
    }
}

/// Where finished audit events go: a non-blocking hand-off, never on the response path.
public protocol AuditSink: Sendable {
    func emit(_ event: AuditEvent)
}
