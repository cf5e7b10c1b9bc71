import AsyncHTTPClient
import Foundation
import GatewayBackends
import GatewayCore
import GatewayProviders
import GatewaySchema
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SwitchboardApp
import Synchronization

/// Runs the embedded gateway exactly as `switchboard serve` composes it, on an ephemeral port, for the duration
/// of a test body; then shuts it down gracefully (which flushes the audit pipeline).
struct TestGateway {
    let baseURL: String
    let client: HTTPClient
    let ports: GatewayPorts
    let process: GatewayProcess

    static func run<T: Sendable>(
        yaml: String, ports: GatewayPorts? = nil, keys: [APIKeyRecord] = [], role: ProcessRole = .embedded,
        environment: [String: String] = [:], _ body: @Sendable (TestGateway) async throws -> T
    ) async throws -> T {
        var config = try ConfigLoader.load(yaml: yaml, fileName: "test.yaml", environment: environment)
        config.listen = .init(host: "127.0.0.1", port: 0)
        let ports =
            ports
            ?? GatewayPorts(
                keys: MemoryAPIKeyStore(keys), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(),
                queue: MemoryQueue(), requestLog: MemoryRequestLog(), responses: MemoryResponseStore(),
                vectors: MemoryVectorStore(),
                ragJobs: MemoryRAGJobStore())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let gateway = GatewayProcess(config: config, ports: ports, logger: logger, role: role)
        let portBox = PortBox()
        do {
            let value = try await TestServices.run(gateway.services { portBox.set($0) }, logger: logger, port: portBox)
            {
                port in
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    let value = try await body(
                        TestGateway(
                            baseURL: "http://127.0.0.1:\(port)", client: client, ports: ports, process: gateway))
                    try await client.shutdown()
                    return value
                } catch {
                    try? await client.shutdown()
                    throw error
                }
            }
            await gateway.shutdownClients()
            return value
        } catch {
            await gateway.shutdownClients()
            throw error
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
        var json: JSONValue? { try? JSONParser.parse(body) }
    }

    func request(
        _ path: String, method: String = "POST", key: String?, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }

    func chat(key: String?, model: String = "mock", stream: Bool = false, extra: String = "") async throws -> Reply {
        try await request(
            "/v1/chat/completions", key: key,
            body:
                #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"hi there"}]\#(extra)}"#
        )
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func keyRecord(
    _ key: String, tenant: String = "t1", models: [String]? = nil, rpm: Int? = nil, rpd: Int? = nil,
    expires: Date? = nil
)
    -> APIKeyRecord
{
    APIKeyRecord(
        hash: APIKey.hash(key), tenant: tenant, label: "label-\(tenant)", createdAt: Date(), expiresAt: expires,
        models: models, rpm: rpm, rpd: rpd)
}

let mockYAML = """
    limits: { rpm: 100000, rpd: 1000000 }
    providers: { mock: { stream_delay_ms: 0 } }
    routes:
      mock: { targets: [{ provider: mock, model: mock-1 }] }
      other: { targets: [{ provider: mock, model: mock-2 }] }
    """
