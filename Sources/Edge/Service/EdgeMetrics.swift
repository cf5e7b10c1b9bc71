import GatewayCore
import Metrics
import Synchronization

/// Request metrics, recorded when a request's audit event is produced.
public final class EdgeMetrics: Sendable {
    /// Counters by label values; a struct key, since joining the values into a string cost an allocation a request.
    struct Key: Hashable {
        var path: String
        var status: Int
        var code: String?
    }
    let counters: Mutex<[Key: Counter]> = Mutex([:])
    let latency = Timer(label: "switchboard_request_duration_seconds", preferredDisplayUnit: .seconds)
    let promptTokens = Counter(label: "switchboard_tokens_total", dimensions: [("type", "prompt")])
    let completionTokens = Counter(label: "switchboard_tokens_total", dimensions: [("type", "completion")])

    public init() {}

    func record(_ event: AuditEvent) {
        let key = Key(path: event.path, status: event.httpStatus, code: event.errorCode)
        let counter = counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let created = Counter(
                label: "switchboard_requests_total",
                dimensions: [
                    ("path", event.path), ("status", String(event.httpStatus)), ("code", event.errorCode ?? ""),
                ])
            if counters.count < 10_000 { counters[key] = created }
            return created
        }
        counter.increment()
        latency.recordNanoseconds(Int64(event.latencyMs * 1_000_000))
        if let prompt = event.promptTokens { promptTokens.increment(by: prompt) }
        if let completion = event.completionTokens { completionTokens.increment(by: completion) }
    }
}
