import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import GatewayWorkers
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchboardApp
import Synchronization
import TestSupport
import Testing

/// AWS mode's request functions, without Lambda: API Gateway requests through the router (`DirectResponder`) with
/// the authorizer's result, quotas enforced in the function, and SQS batches into the audit consumer.
@Suite struct LambdaServiceTests {
    static let yaml = """
        log_format: text
        limits: { rpm: 1000, rpd: 100000 }
        routes:
          mock: { targets: [ { provider: mock, model: mock-1 } ] }
        """

    static func process(ports: GatewayPorts) throws -> GatewayProcess {
        let config = try ConfigLoader.load(yaml: yaml, fileName: "test.yaml", environment: [:])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return GatewayProcess(config: config, ports: ports, logger: logger, role: .lambda(.router))
    }

    static func memoryPorts(log: any RequestLog = MemoryRequestLog()) -> GatewayPorts {
        GatewayPorts(
            keys: MemoryAPIKeyStore(), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(), queue: MemoryQueue(),
            requestLog: log, responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
    }

    static let key = AuthorizedKey(
        identity: Identity(tenant: "acme", keyID: "key_0123456789ab", keyLabel: "ci", models: nil), rpm: 2)

    static func chat(stream: Bool, key: AuthorizedKey? = key) -> DirectRequest {
        let body = #"{"model":"mock","messages":[{"role":"user","content":"hi"}],"stream":\#(stream)}"#
        return DirectRequest(
            method: .post, target: "/v1/chat/completions",
            headers: [.contentType: "application/json", HTTPField.Name("host")!: "api.example.com"],
            body: ByteBuffer(string: body), authorizedKey: key)
    }

    static func body(_ response: Response) async throws -> (text: String, writes: Int) {
        let parts = Mutex<[ByteBuffer]>([])
        try await DirectResponder.write(response) { part in parts.withLock { $0.append(part) } }
        let all = parts.withLock { $0 }
        return (all.map { String(buffer: $0) }.joined(), all.count)
    }

    @Test func authorizedRequestsAreServedAndQuotasCountedInTheFunction() async throws {
        let ports = Self.memoryPorts()
        let process = try Self.process(ports: ports)
        defer { Task { await process.shutdownClients() } }
        let responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        try await avoidMinuteBoundary(10)  // the three requests in one quota window

        let first = await responder.respond(to: Self.chat(stream: false))
        #expect(first.status.code == 200)
        #expect(first.headers[HTTPField.Name("x-ratelimit-limit-requests")!] == "2")
        let answer = try JSONParser.parse(Array(try await Self.body(first).text.utf8))
        #expect(answer["object"]?.stringValue == "chat.completion")
        #expect(answer["model"]?.stringValue == "mock")

        #expect(await responder.respond(to: Self.chat(stream: false)).status.code == 200)
        let limited = await responder.respond(to: Self.chat(stream: false))
        #expect(limited.status.code == 429, "the key's rpm of 2 is enforced by the function")
        #expect(limited.headers[.retryAfter] != nil)
        await process.publisher.flush()
        #expect(try await ports.queue.depth(topic: .audit) == 3, "each request's event is queued by flush()")
    }

    @Test func withoutTheAuthorizersResultNothingIsServed() async throws {
        let process = try Self.process(ports: Self.memoryPorts())
        defer { Task { await process.shutdownClients() } }
        let responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        let response = await responder.respond(to: Self.chat(stream: false, key: nil))
        #expect(response.status.code == 401)
        let error = try JSONParser.parse(Array(try await Self.body(response).text.utf8))
        #expect(error["error"]?["type"]?.stringValue == "invalid_request_error")
    }

    @Test func aKeyThatExpiredSinceTheAuthorizerAllowedItIsRefused() async throws {
        let process = try Self.process(ports: Self.memoryPorts())
        defer { Task { await process.shutdownClients() } }
        let responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        var expired = Self.key
        expired.expiresAt = Int(Date().timeIntervalSince1970) - 1
        #expect(AuthorizedKey(encoded: expired.encoded) == expired, "the expiry travels in the authorizer context")
        let response = await responder.respond(to: Self.chat(stream: false, key: expired))
        #expect(response.status.code == 401)
        let error = try JSONParser.parse(Array(try await Self.body(response).text.utf8))
        #expect(error["error"]?["code"]?.stringValue == "invalid_api_key")
        var valid = Self.key
        valid.expiresAt = Int(Date().timeIntervalSince1970) + 3600
        #expect(await responder.respond(to: Self.chat(stream: false, key: valid)).status.code == 200)
    }

    @Test func streamedAnswersAreWrittenChunkByChunk() async throws {
        let process = try Self.process(ports: Self.memoryPorts())
        defer { Task { await process.shutdownClients() } }
        let responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        let response = await responder.respond(to: Self.chat(stream: true))
        #expect(response.status.code == 200)
        #expect(response.headers[.contentType]?.hasPrefix("text/event-stream") == true)
        let (text, writes) = try await Self.body(response)
        #expect(writes > 2)
        #expect(text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func unknownPathsOutsideV1AreNotFound() async throws {
        let process = try Self.process(ports: Self.memoryPorts())
        defer { Task { await process.shutdownClients() } }
        let responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        let response = await responder.respond(
            to: DirectRequest(method: .get, target: "/nope", headers: [:], body: ByteBuffer(), authorizedKey: nil))
        #expect(response.status.code == 404)
    }

    @Test func streamingRoutesComeFromTheEnvironment() {
        #expect(StreamingRoutes(environment: [:]).streams(method: "POST", path: "/v1/chat/completions"))
        #expect(!StreamingRoutes(environment: [:]).streams(method: "GET", path: "/v1/models"))
        let custom = StreamingRoutes(environment: ["SWITCHBOARD_STREAMING_ROUTES": "post  /v1/a, GET /v1/b,,"])
        #expect(custom.routes == ["POST /v1/a", "GET /v1/b"])
        #expect(custom.streams(method: "post", path: "/v1/a"))
        #expect(!custom.streams(method: "POST", path: "/v1/chat/completions"))
    }

    @Test func anSQSBatchReportsOnlyTheMessagesThatWereNotWritten() async throws {
        let log = ObservedRequestLog(refusing: "req_bad")
        let consumer = AuditConsumer(queue: MemoryQueue(), log: log, logger: Logger(label: "test"))
        func message(_ id: String) throws -> (id: String, payload: [UInt8]) {
            let event = AuditEvent(
                requestID: id, timestamp: Date(timeIntervalSince1970: 1_800_000_000), tenant: "acme", method: "POST",
                path: "/v1/chat/completions", outcome: .success, httpStatus: 200, latencyMs: 1)
            return ("m-\(id)", try AuditCodec.encode(event))
        }
        let messages = [
            try message("req_1"), try message("req_bad"), ("m-poison", Array("junk".utf8)),
            try message("req_2"),
        ]
        let failed = await consumer.write(messages)
        #expect(failed == ["m-req_bad", "m-poison"])
        #expect(try await log.find(requestID: "req_1") != nil)
        #expect(try await log.find(requestID: "req_2") != nil)
        // Delivered again (SQS retries the failures, or the whole batch): nothing is written twice.
        #expect(await consumer.write([try message("req_1")]).isEmpty)
        #expect(try await log.recent(limit: 10, tenant: nil).count == 2)
    }
}
