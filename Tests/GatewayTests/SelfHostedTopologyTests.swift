import AsyncHTTPClient
import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import NIOCore
import NIOHTTP1
import SwitchboardApp
import Testing

/// Self-hosted mode's topology in one test process: the edge, the router and the audit service as separate
/// `GatewayProcess`es on their own ports (each composed exactly as its binary runs it), sharing the stores.
@Suite struct SelfHostedTopologyTests {
    static let secret = String(repeating: "0123456789abcdef", count: 2)
    let signer = IdentitySigner(secret: Self.secret)!

    static let yaml = """
        limits: { rpm: 100000, rpd: 1000000 }
        providers: { mock: { stream_delay_ms: 60 } }
        routes:
          mock: { targets: [{ provider: mock, model: mock-1 }] }
        """

    /// The mock, and a model that answers after 400 ms (`FakeOpenAIUpstream`'s `slow-400`).
    static func yaml(slow upstream: FakeOpenAIUpstream) -> String {
        """
        limits: { rpm: 100000, rpd: 1000000 }
        providers:
          mock: { stream_delay_ms: 60 }
          openai_compatible:
            fake: { base_url: "\(upstream.baseURL)", api_key: up-key }
        routes:
          mock: { targets: [{ provider: mock, model: mock-1 }] }
          slow: { targets: [{ provider: "openai_compatible:fake", model: slow-400 }] }
        """
    }

    func ports(_ log: any RequestLog) -> GatewayPorts {
        GatewayPorts(
            keys: MemoryAPIKeyStore([
                keyRecord("sb_sk_a", tenant: "acme", models: ["mock"]), keyRecord("sb_sk_s", tenant: "slowpoke"),
            ]),
            quotas: MemoryQuotaStore(), routes: MemoryRouteStore(), queue: MemoryQueue(), requestLog: log,
            responses: MemoryResponseStore(), vectors: MemoryVectorStore(), ragJobs: MemoryRAGJobStore())
    }

    /// Runs audit, router and edge (started in that order, stopped in reverse, so every event reaches the log).
    func withTopology<T: Sendable>(
        _ log: any RequestLog, routerURL: String? = nil, yaml: String = Self.yaml, edgeYAML: String? = nil,
        _ body: @Sendable (_ edge: TestGateway, _ router: TestGateway) async throws -> T
    ) async throws -> T {
        let ports = ports(log)
        let signer = self.signer
        return try await TestGateway.run(yaml: yaml, ports: ports, role: .service(.audit, signer: signer)) {
            audit in
            try await TestGateway.run(yaml: yaml, ports: ports, role: .service(.router, signer: signer)) {
                router in
                let services: [InternalService: String] = [
                    .router: routerURL ?? router.baseURL, .audit: audit.baseURL,
                ]
                return try await TestGateway.run(
                    yaml: edgeYAML ?? yaml, ports: ports, role: .edge(services: services, signer: signer)
                ) { edge in try await body(edge, router) }
            }
        }
    }

    @Test func requestsThroughTheEdgeAreServedAndAuditedOnceUnderTheEdgesRequestID() async throws {
        let log = MemoryRequestLog()
        let replies = try await withTopology(log) { edge, _ in
            [
                try await edge.chat(key: "sb_sk_a"),
                try await edge.chat(key: "sb_sk_a", stream: true),
                try await edge.request("/v1/models", method: "GET", key: "sb_sk_a"),
                try await edge.chat(key: nil),
                try await edge.chat(key: "sb_sk_a", model: "ghost"),
                try await edge.request("/v1/billing/usage", method: "GET", key: "sb_sk_a"),
                try await edge.request("/v1/nothing-here", method: "GET", key: "sb_sk_a"),
            ]
        }
        #expect(replies.map(\.status) == [200, 200, 200, 401, 403, 200, 404])
        #expect(replies[0].json?["object"]?.stringValue == "chat.completion")
        #expect(replies[1].body.hasSuffix("data: [DONE]\n\n"))
        #expect(replies[2].json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["mock"])
        #expect(replies[5].json?["tenantId"]?.stringValue == "acme")
        let events = try await log.recent(limit: 100, tenant: nil)
        #expect(events.count == replies.count, "one event per request: the service's, or the edge's when it answered")
        for reply in replies {
            let id = try #require(reply.headers["x-request-id"])
            let matching = events.filter { $0.requestID == id }
            #expect(matching.count == 1, "\(id)")
            #expect(matching.first?.httpStatus == reply.status)
        }
        let streamed = try #require(events.first { $0.stream })
        #expect(streamed.tenant == "acme")
        #expect(streamed.keyLabel == "label-acme")
        #expect(streamed.completionTokens == 10)
        #expect(streamed.provider == "mock")
    }

    /// A client that leaves while the edge awaits its buffered answer: the edge abandons the call, the router sees
    /// its client leave and audits its answer as a client that left (499, with the usage it cost), once, as
    /// embedded mode does; not as the 200 no one received.
    @Test func aClientLeavingDuringABufferedAnswerIsAuditedOnceAsADisconnect() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            let log = ObservedRequestLog()
            try await withTopology(log, yaml: Self.yaml(slow: upstream)) { edge, _ in
                let client = try await RawHTTPClient.connect(to: edge)
                try await client.send(FastPathTests.rawChat(key: "sb_sk_s", model: "slow"))
                try await Task.sleep(for: .milliseconds(150))
                await client.close()
                try await Task.sleep(for: .milliseconds(700))
            }
            let events = log.everyEventGiven.map {
                "\($0.tenant ?? "-") \($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-") \($0.completionTokens ?? 0)"
            }
            // With the tokens the upstream counted (the fake answers 3): they were spent.
            #expect(events == ["slowpoke 499 clientDisconnect client_closed_request 3"])
        }
    }

    /// A client that leaves halfway through its body: one event, 499. The edge's for a body within its buffer
    /// (the router never got the request); the router's for a streamed one (it got the head, and the edge hands
    /// its own event off).
    @Test(arguments: [100, 5000])
    func aClientLeavingMidBodyIsAuditedOnce(declaredLength: Int) async throws {
        let log = ObservedRequestLog()
        // The edge buffers up to 1024 bytes; the router takes 4 MiB.
        try await withTopology(log, edgeYAML: Self.yaml + "\nserver: { max_body_bytes: 1024 }\n") { edge, _ in
            let client = try await RawHTTPClient.connect(to: edge)
            try await client.send(
                FastPathTests.rawPost(key: "sb_sk_a", #"{"model":"mock","#, length: declaredLength))
            try await Task.sleep(for: .milliseconds(150))
            await client.close()
            try await Task.sleep(for: .milliseconds(500))
        }
        let given = log.everyEventGiven.map { "\($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-")" }
        #expect(given == ["499 clientDisconnect client_closed_request"])
    }

    /// A chunked body with bad framing whose client stays: answered 400, one event (the edge's, as in embedded
    /// mode: the router never got the request), not a 503 and a 499.
    @Test func aMalformedChunkedBodyIsOneBadRequest() async throws {
        let log = ObservedRequestLog()
        let text = try await withTopology(log) { edge, _ in
            let client = try await RawHTTPClient.connect(to: edge)
            try await client.send(FastPathTests.rawChunkedHead(key: "sb_sk_a") + "5\r\n{\"mod\r\nzz\r\n")
            let text = try await client.wait(until: { $0.contains("\r\n\r\n") })
            try await Task.sleep(for: .milliseconds(500))
            await client.close()
            return text
        }
        #expect(text.hasPrefix("HTTP/1.1 400"))
        let given = log.everyEventGiven.map { "\($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-")" }
        #expect(given == ["400 error malformed_body"])
    }

    /// A chunked body that ends within the edge's buffer is read whole by the edge and goes to the service with
    /// its length: a client that sends it slowly, in parts, is served as one that sends it at once.
    @Test func aChunkedBodySentInPartsIsServed() async throws {
        let log = ObservedRequestLog()
        let text = try await withTopology(log) { edge, _ in
            let client = try await RawHTTPClient.connect(to: edge)
            let body = #"{"model":"mock","messages":[{"role":"user","content":"hi"}]}"#
            try await client.send(FastPathTests.rawChunkedHead(key: "sb_sk_a"))
            for part in [body.prefix(10), body.dropFirst(10)] {
                try await client.send(String(part.utf8.count, radix: 16) + "\r\n" + part + "\r\n")
                try await Task.sleep(for: .milliseconds(100))
            }
            try await client.send("0\r\n\r\n")
            let text = try await client.wait(until: { $0.contains("\"usage\"") })
            await client.close()
            return text
        }
        #expect(text.hasPrefix("HTTP/1.1 200"))
        let given = log.everyEventGiven.map { "\($0.httpStatus) \($0.outcome)" }
        #expect(given == ["200 success"])
    }

    @Test func aStreamIsRelayedEventByEventNotBuffered() async throws {
        let log = MemoryRequestLog()
        let parts = try await withTopology(log) { edge, _ in
            var request = HTTPClientRequest(url: edge.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer sb_sk_a")
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(
                ByteBuffer(string: #"{"model":"mock","stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
            let response = try await edge.client.execute(request, timeout: .seconds(30))
            #expect(response.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true)
            var parts: [String] = []
            for try await buffer in response.body { parts.append(String(buffer: buffer)) }
            return parts
        }
        // The mock writes a token every 60 ms: a buffering proxy would hand them over in one piece at the end.
        #expect(parts.count >= 8, "\(parts.count) reads")
        #expect(parts.joined().hasSuffix("data: [DONE]\n\n"))
    }

    @Test func internalServicesAdmitOnlyWhatTheEdgeSigned() async throws {
        let log = MemoryRequestLog()
        try await withTopology(log) { edge, router in
            let body = #"{"model":"mock","messages":[{"role":"user","content":"hi"}]}"#
            // Straight to the router, even with a valid API key: refused.
            let direct = try await router.request("/v1/chat/completions", key: "sb_sk_a", body: body)
            #expect(direct.status == 401)
            #expect(direct.json?["error"]?["code"]?.stringValue == "invalid_internal_identity")
            // Headers forged with another secret, or real ones replayed for another path: refused.
            let claims = IdentityClaims(
                identity: Identity(tenant: "victim", keyID: "key_x", keyLabel: "x", models: nil), requestID: "req_x",
                method: "POST", path: "/v1/chat/completions", issuedAt: Int(Date().timeIntervalSince1970))
            let forged = IdentitySigner(secret: String(repeating: "z", count: 32))!.sign(claims)
            let forgedReply = try await router.request(
                "/v1/chat/completions", key: nil, body: body,
                headers: [
                    IdentitySigner.identityHeader: forged.identity, IdentitySigner.signatureHeader: forged.signature,
                ])
            #expect(forgedReply.status == 401)
            var other = claims
            other.path = "/v1/embeddings"
            let misdirected = signer.sign(other)
            let replayed = try await router.request(
                "/v1/chat/completions", key: nil, body: body,
                headers: [
                    IdentitySigner.identityHeader: misdirected.identity,
                    IdentitySigner.signatureHeader: misdirected.signature,
                ])
            #expect(replayed.status == 401)
            // Correctly signed: admitted, as the claimed tenant.
            let genuine = signer.sign(claims)
            let admitted = try await router.request(
                "/v1/chat/completions", key: nil, body: body,
                headers: [
                    IdentitySigner.identityHeader: genuine.identity, IdentitySigner.signatureHeader: genuine.signature,
                ])
            #expect(admitted.status == 200)
            #expect(admitted.headers["x-request-id"] == "req_x")
            // A client cannot smuggle identity headers through the edge: its own key decides.
            let smuggled = try await edge.request(
                "/v1/chat/completions", key: "sb_sk_a", body: body,
                headers: [
                    IdentitySigner.identityHeader: genuine.identity, IdentitySigner.signatureHeader: genuine.signature,
                ])
            #expect(smuggled.status == 200)
            #expect(smuggled.headers["x-request-id"] != "req_x")
        }
        let events = try await log.recent(limit: 100, tenant: nil)
        #expect(events.first { $0.requestID == "req_x" }?.tenant == "victim")
        #expect(events.filter { $0.tenant == "acme" && $0.httpStatus == 200 }.count == 1)
    }

    /// A service may answer before it read a streamed request body (a refusal decided on the headers) while the
    /// client is still sending it: the edge relays the answer, and the rest of the body is read once (the upload and
    /// Hummingbird reading it at the same time crashed the edge), so the connection's next request is served.
    @Test func aServiceAnsweringBeforeTheWholeBodyCameLeavesTheEdgeServing() async throws {
        let early = try await EarlyAnswerServer.start()
        let log = MemoryRequestLog()
        // A body over the edge's buffer (`max_body_bytes`) is streamed to the service.
        let yaml = Self.yaml + "\nserver: { max_body_bytes: 1024 }\n"
        let (first, both) = try await withTopology(log, routerURL: early.url, edgeYAML: yaml) { edge, _ in
            let client = try await RawHTTPClient.connect(to: edge)
            let text = String(repeating: "hello there ", count: 100)
            let body = #"{"model":"mock","messages":[{"role":"user","content":""# + text + #""}]}"#
            try await client.send(
                "POST /v1/chat/completions HTTP/1.1\r\nhost: edge\r\nauthorization: Bearer sb_sk_a\r\n"
                    + "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n"
                    + body.prefix(10))
            let first = try await client.wait { $0.contains(EarlyAnswerServer.body) }
            try await client.send(String(body.dropFirst(10)) + "GET /health HTTP/1.1\r\nhost: edge\r\n\r\n")
            let both = try await client.wait { $0.components(separatedBy: "HTTP/1.1 ").count == 3 }
            await client.close()
            return (first, both)
        }
        await early.stop()
        #expect(first.hasPrefix("HTTP/1.1 401"))
        #expect(first.hasSuffix(EarlyAnswerServer.body))
        #expect(both.components(separatedBy: "HTTP/1.1 ").last?.hasPrefix("200") == true, "\(both)")
    }

    @Test func anUnreachableServiceIsA503FromTheEdge() async throws {
        let log = MemoryRequestLog()
        let reply = try await withTopology(log, routerURL: "http://127.0.0.1:1") { edge, _ in
            try await edge.chat(key: "sb_sk_a")
        }
        #expect(reply.status == 503)
        #expect(reply.json?["error"]?["message"]?.stringValue == "The router service is unavailable; retry shortly.")
        let events = try await log.recent(limit: 10, tenant: nil)
        #expect(events.map(\.httpStatus) == [503])
        #expect(events.first?.requestID == reply.headers["x-request-id"])
    }
}
