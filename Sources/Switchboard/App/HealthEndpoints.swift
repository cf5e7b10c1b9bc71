import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import Prometheus

/// `GET /health`, `GET /ready` and `GET /metrics`, the same in every process (embedded and each self-hosted
/// service).
public struct HealthEndpoints: Sendable {
    let drain: StreamDrain
    /// Reads the stores this process depends on and returns the audit queue's depth; throws when they fail.
    let probe: @Sendable () async throws -> Int
    /// The registry swift-metrics was bootstrapped with (nil: `/metrics` is not served).
    let prometheus: PrometheusCollectorRegistry?

    public init(
        drain: StreamDrain, prometheus: PrometheusCollectorRegistry?, probe: @escaping @Sendable () async throws -> Int
    ) {
        self.drain = drain
        self.prometheus = prometheus
        self.probe = probe
    }

    public func add(to router: Router<GatewayRequestContext>) {
        router.get("/health") { _, _ in Self.plain("ok") }
        router.get("/ready") { _, _ in await self.readiness() }
        if let prometheus {
            router.get("/metrics") { _, _ in
                var text: [UInt8] = []
                prometheus.emit(into: &text)
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
            }
        }
    }

    /// `GET /ready`: 200 when the process can serve — its stores answer (the probe) within two seconds and no
    /// shutdown has begun; else 503. The body says which check failed, never why in detail (no paths or
    /// credentials).
    func readiness() async -> Response {
        var checks = JSONObject()
        var ready = true
        if drain.isShuttingDown {
            checks["shutdown"] = "in progress"
            ready = false
        }
        let probe = self.probe
        do {
            let depth = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await probe() }
                group.addTask {
                    try await Task.sleep(for: .seconds(2))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            if let depth {
                checks["store"] = "ok"
                checks["audit_queue_depth"] = .number(JSONNumber(depth))
            } else {
                checks["store"] = "timeout"
                ready = false
            }
        } catch {
            checks["store"] = "error"
            ready = false
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body: JSONValue = ["status": .string(ready ? "ready" : "not_ready"), "checks": .object(checks)]
        return Response(
            status: ready ? .ok : .serviceUnavailable, headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body.serialized())))
    }

    static func plain(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

extension GatewayPorts {
    /// The readiness probe over these ports: the route store is read and the audit queue's depth counted.
    public var readinessProbe: @Sendable () async throws -> Int {
        let routes = self.routes
        let queue = self.queue
        return {
            _ = try await routes.loadAll()
            return try await queue.depth(topic: .audit)
        }
    }
}
