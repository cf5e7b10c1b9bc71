import Foundation
import GatewayBackends
import GatewayCore
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

@testable import SwitchboardApp

@Suite struct ReadinessTests {
    struct BrokenRoutes: RouteStore {
        struct Down: Error {}
        func loadAll() async throws -> [StoredRoute] { throw Down() }
        func put(_ route: StoredRoute) async throws { throw Down() }
        func delete(alias: String) async throws -> Bool { throw Down() }
    }

    func gateway(routes: any RouteStore = MemoryRouteStore()) throws -> GatewayProcess {
        let ports = GatewayPorts(
            keys: MemoryAPIKeyStore(), quotas: MemoryQuotaStore(), routes: routes, queue: MemoryQueue(),
            requestLog: MemoryRequestLog(), responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
        let config = try ConfigLoader.load(yaml: mockYAML, fileName: "test.yaml", environment: [:])
        return GatewayProcess(config: config, ports: ports, logger: Logger(label: "test"))
    }

    final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    struct CollectingWriter: ResponseBodyWriter {
        let into: Collected
        mutating func write(_ buffer: ByteBuffer) async throws {
            into.bytes.withLock { $0 += Array(buffer.readableBytesView) }
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    func body(_ gateway: GatewayProcess) async throws -> (Int, JSONValue) {
        let response = await gateway.readiness()
        let collected = Collected()
        try await response.body.write(CollectingWriter(into: collected))
        return (Int(response.status.code), try JSONParser.parse(collected.bytes.withLock { $0 }))
    }

    @Test func readyWhenTheStoresAnswerAndNotOnceShutdownBegins() async throws {
        let healthy = try gateway()
        let (status, json) = try await body(healthy)
        #expect(status == 200 && json["status"] == "ready" && json["checks"]?["store"] == "ok")
        #expect(json["checks"]?["audit_queue_depth"] == 0)
        healthy.drain.markShuttingDown()
        let (after, shutdown) = try await body(healthy)
        #expect(after == 503 && shutdown["checks"]?["shutdown"] == "in progress")
        await healthy.shutdownClients()
    }

    @Test func notReadyWhenTheStoreFails() async throws {
        let broken = try gateway(routes: BrokenRoutes())
        let (status, json) = try await body(broken)
        #expect(status == 503 && json["status"] == "not_ready" && json["checks"]?["store"] == "error")
        await broken.shutdownClients()
    }
}
