import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import NIOCore
import SwitchboardApp
import TestSupport
import Testing

@testable import GatewayRouter

/// The event-loop fast path (`FastChatHandler`) against the regular path: the same answers, headers, quotas and
/// audit events, with failures continued by the regular path without a second count or a repeated attempt.
@Suite(.serialized) struct FastPathTests {
    static func yaml(_ upstream: FakeOpenAIUpstream, fastPath: Bool = true) -> String {
        """
        limits: { rpm: 100000, rpd: 1000000 }
        server: { fast_path: \(fastPath), cors: { allowed_origins: ["https://app.example"] } }
        retry: { max_attempts: 3, backoff_base_ms: 1, backoff_max_ms: 2 }
        providers:
          openai_compatible:
            fake: { base_url: "\(upstream.baseURL)", api_key: up-key }
        routes:
          chat: { targets: [{ provider: "openai_compatible:fake", model: ok }] }
          flaky: { targets: [{ provider: "openai_compatible:fake", model: status-503 }], fallbacks: [chat] }
          strict: { targets: [{ provider: "openai_compatible:fake", model: status-400 }], fallbacks: [chat] }
          slow: { targets: [{ provider: "openai_compatible:fake", model: slow-400 }] }
        """
    }

    static func ports(_ log: MemoryRequestLog, keys: [APIKeyRecord]) -> GatewayPorts {
        GatewayPorts(
            keys: MemoryAPIKeyStore(keys), quotas: MemoryQuotaStore(), routes: MemoryRouteStore(),
            queue: MemoryQueue(), requestLog: log, responses: MemoryResponseStore(), vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
    }

    /// A chat request as bytes; `length`: the `content-length` to claim (the body's own by default).
    static func rawPost(key: String, _ body: String, length: Int? = nil) -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(key)\r\n"
            + "content-type: application/json\r\ncontent-length: \(length ?? body.utf8.count)\r\n\r\n\(body)"
    }

    /// The head of a chat request whose body follows chunked.
    static func rawChunkedHead(key: String) -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(key)\r\n"
            + "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    }

    static func rawChat(key: String, model: String) -> String {
        rawPost(key: key, #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}]}"#)
    }

    /// A connection of its own to `gw`, after one request through `gw`'s client has cached `key` and opened an
    /// upstream connection (what the fast path needs).
    static func rawClient(_ gw: TestGateway, key: String) async throws -> RawHTTPClient {
        _ = try await gw.chat(key: key, model: "chat")
        return try await RawHTTPClient.connect(to: gw)
    }

    /// What a reply and its audit event must agree on between the two paths: everything but ids and times.
    struct Seen: Equatable {
        var status: Int
        var headerNames: Set<String>
        var remaining: String?
        var body: JSONValue?
        var event: String
    }

    func seen(_ reply: TestGateway.Reply, _ log: MemoryRequestLog) async throws -> Seen {
        var body = reply.json
        if case .object(var object)? = body {
            #expect(
                object["id"]?.stringValue?.hasPrefix(object["object"] == "chat.completion" ? "chatcmpl-" : "cmpl-")
                    == true)
            #expect(object["created"]?.intValue != nil && object["created"]?.intValue != 1)
            object["id"] = nil
            object["created"] = nil
            body = .object(object)
        }
        let requestID = try #require(reply.headers["x-request-id"])
        let event = try #require(try await log.find(requestID: requestID))
        let attempts = event.attempts.map { "\($0.provider)/\($0.model)/\($0.result)/\($0.httpStatus ?? 0)" }
        return Seen(
            status: reply.status, headerNames: Set(reply.headers.keys),
            remaining: reply.headers["x-ratelimit-remaining-requests"], body: body,
            event:
                "\(event.tenant ?? "") \(event.keyLabel ?? "") \(event.alias ?? "") \(event.provider ?? "") "
                + "\(event.providerModel ?? "") \(event.httpStatus) \(event.outcome) \(event.errorCode ?? "-") "
                + "\(event.promptTokens ?? -1)+\(event.completionTokens ?? -1) \(attempts) \(event.stream)")
    }

    /// The same requests on both paths, on one kept-alive connection each: the first request of a key (not yet
    /// cached) and of an upstream (no idle connection yet) takes the regular path, the rest the fast path.
    @Test func theFastPathAnswersAsTheRegularPathDoes() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            var results: [Bool: [Seen]] = [:]
            var counts: [Bool: (answered: Int, handedOff: Int)] = [:]
            for fast in [true, false] {
                let log = MemoryRequestLog()
                // A day's limit: a minute's window can roll over between two requests of a slow run.
                let keys = [keyRecord("sb_sk_fast", tenant: "acme", rpd: 50)]
                let (seen, count) = try await TestGateway.run(
                    yaml: Self.yaml(upstream, fastPath: fast), ports: Self.ports(log, keys: keys)
                ) { gw in
                    var replies: [TestGateway.Reply] = []
                    for extra in [
                        "", #","temperature":0.5,"n":1,"tools":[{"type":"function","function":{"name":"f"}}]"#,
                    ] {
                        for _ in 0..<3 {
                            replies.append(
                                try await gw.request(
                                    "/v1/chat/completions", key: "sb_sk_fast",
                                    body: #"{"model":"chat","messages":[{"role":"user","content":"hi"}]\#(extra)}"#,
                                    headers: ["origin": "https://app.example"]))
                        }
                    }
                    replies.append(
                        try await gw.request(
                            "/v1/completions", key: "sb_sk_fast", body: #"{"model":"chat","prompt":"hi"}"#,
                            headers: ["origin": "https://app.example"]))
                    // The request log is written off the path.
                    let logged = try await eventually(timeout: .seconds(10)) {
                        for reply in replies
                        where try await log.find(requestID: reply.headers["x-request-id"] ?? "") == nil {
                            return false
                        }
                        return true
                    }
                    #expect(logged)
                    var seen: [Seen] = []
                    for reply in replies { seen.append(try await self.seen(reply, log)) }
                    return (seen, (gw.process.fastPath?.answered ?? 0, gw.process.fastPath?.handedOff ?? 0))
                }
                results[fast] = seen
                counts[fast] = count
            }
            #expect(results[true] == results[false])
            #expect(results[true]?.first?.status == 200)
            // Each request counted once: 50, 49, … 43 left.
            #expect(results[true]?.map(\.remaining) == (0..<7).map { String(49 - $0) })
            #expect(counts[true]?.answered == 5)
            #expect(counts[true]?.handedOff == 0)
            #expect(counts[false]?.answered == 0)
            // The completions answer goes to the chat upstream and comes back translated: not the fast path's.
            #expect(results[true]?.last?.body?["object"] == "text_completion")
        }
    }

    /// A failed first attempt made on the loop is the first of the request's attempts: the regular path goes on
    /// with the next target (not the same one again), and the request is counted once.
    @Test func aFailedFirstAttemptIsContinuedByTheRegularPath() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await avoidMinuteBoundary()
            let log = MemoryRequestLog()
            try await TestGateway.run(
                yaml: Self.yaml(upstream), ports: Self.ports(log, keys: [keyRecord("sb_sk_f", rpm: 10)])
            ) { gw in
                _ = try await gw.chat(key: "sb_sk_f", model: "chat")  // caches the key, opens a connection
                let reply = try await gw.chat(key: "sb_sk_f", model: "flaky")
                #expect(reply.status == 200)
                #expect(reply.json?["model"] == "flaky")
                #expect(
                    reply.json?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.isEmpty == false)
                #expect(reply.headers["x-ratelimit-remaining-requests"] == "8")
                #expect(upstream.calls("status-503") == 1)
                #expect(gw.process.fastPath?.handedOff == 1)
                let id = reply.headers["x-request-id"] ?? ""
                _ = try await eventually(timeout: .seconds(10)) { try await log.find(requestID: id) != nil }
                let event = try #require(try await log.find(requestID: id))
                #expect(event.attempts.map(\.model) == ["status-503", "ok"])
                #expect(event.attempts.map(\.result) == ["upstream_server_error", "ok"])
                #expect(event.providerModel == "ok")
                #expect(event.httpStatus == 200)
                #expect(try await log.recent(limit: 10, tenant: nil).count == 2)
            }
        }
    }

    /// A non-retryable upstream error on the loop's attempt is the client's answer, exactly as on the regular path:
    /// no fallback, no second call.
    @Test func aNonRetryableErrorOnTheLoopIsTheAnswer() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            var bodies: [Bool: JSONValue?] = [:]
            for fast in [true, false] {
                let log = MemoryRequestLog()
                let before = (bad: upstream.calls("status-400"), ok: upstream.calls("ok"))
                bodies[fast] = try await TestGateway.run(
                    yaml: Self.yaml(upstream, fastPath: fast), ports: Self.ports(log, keys: [keyRecord("sb_sk_s")])
                ) { gw in
                    _ = try await gw.chat(key: "sb_sk_s", model: "chat")
                    let reply = try await gw.chat(key: "sb_sk_s", model: "strict")
                    #expect(reply.status == 400)
                    #expect(reply.json?["error"]?["message"]?.stringValue?.hasSuffix("fake upstream error 400") == true)
                    #expect(upstream.calls("status-400") == before.bad + 1)
                    #expect(upstream.calls("ok") == before.ok + 1)
                    #expect(gw.process.fastPath?.handedOff == (fast ? 1 : nil))
                    let id = reply.headers["x-request-id"] ?? ""
                    _ = try await eventually(timeout: .seconds(10)) { try await log.find(requestID: id) != nil }
                    let event = try #require(try await log.find(requestID: id))
                    #expect(event.attempts.count == 1)
                    #expect(event.httpStatus == 400)
                    return reply.json
                }
            }
            #expect(bodies[true] == bodies[false])
        }
    }

    /// Over its limit, a key gets the regular path's 429; what the fast path admitted was counted exactly once.
    @Test func quotasHoldAcrossBothPaths() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await avoidMinuteBoundary()
            try await TestGateway.run(yaml: Self.yaml(upstream), keys: [keyRecord("sb_sk_q", rpm: 4)]) { gw in
                var statuses: [Int] = []
                for _ in 0..<6 { statuses.append(try await gw.chat(key: "sb_sk_q", model: "chat").status) }
                #expect(statuses == [200, 200, 200, 200, 429, 429])
                #expect(upstream.calls("ok") == 4)
                #expect((gw.process.fastPath?.answered ?? 0) >= 2)
            }
        }
    }

    /// Requests pipelined on one connection are answered in order, whichever path serves each.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await TestGateway.run(yaml: Self.yaml(upstream), keys: [keyRecord("sb_sk_p")]) { gw in
                let client = try await Self.rawClient(gw, key: "sb_sk_p")
                func post(_ model: String) -> String { Self.rawChat(key: "sb_sk_p", model: model) }
                let models = "GET /v1/models HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sb_sk_p\r\n\r\n"
                try await client.send(post("slow") + models + post("chat") + post("flaky") + post("chat"))
                let text = try await client.wait { $0.components(separatedBy: "HTTP/1.1 200").count == 6 }
                await client.close()
                let responses = text.components(separatedBy: "HTTP/1.1 ").dropFirst()
                let markers = [
                    #""model":"slow""#, #""object":"list""#, #""model":"chat""#, #""model":"flaky""#,
                    #""model":"chat""#,
                ]
                #expect(responses.count == markers.count)
                for (response, marker) in zip(responses, markers) {
                    #expect(response.hasPrefix("200 OK"), "\(response)")
                    #expect(response.contains(marker), "\(marker) in \(response)")
                }
                // The slow one; the rest waited for it, then went to the server behind the models request.
                #expect(gw.process.fastPath?.answered == 1)
            }
        }
    }

    /// A client that leaves while its answer is awaited from the upstream gets its one audit event, as a client
    /// that left (499, not the 200 no one received), on both paths; the connection's next client is served.
    @Test func aClientLeavingDuringTheAnswerIsAuditedOnceAsADisconnect() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            var events: [Bool: [String]] = [:]
            for fast in [true, false] {
                let log = MemoryRequestLog()
                try await TestGateway.run(
                    yaml: Self.yaml(upstream, fastPath: fast), ports: Self.ports(log, keys: [keyRecord("sb_sk_l")])
                ) { gw in
                    let client = try await Self.rawClient(gw, key: "sb_sk_l")
                    try await client.send(Self.rawChat(key: "sb_sk_l", model: "slow"))
                    try await Task.sleep(for: .milliseconds(100))
                    await client.close()
                    try await Task.sleep(for: .milliseconds(700))
                    #expect(gw.process.fastPath?.answered == (fast ? 1 : nil))
                    #expect(try await gw.chat(key: "sb_sk_l", model: "chat").status == 200)
                    try await Task.sleep(for: .milliseconds(200))
                }
                let all = try await log.recent(limit: 10, tenant: nil)
                #expect(all.count == 3, "fast path \(fast)")
                events[fast] = all.filter { $0.alias == "slow" }.map {
                    "\($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-") \($0.completionTokens ?? 0)"
                }
            }
            // With the tokens the upstream counted (the fake answers 3): they were spent.
            #expect(events[true] == ["499 clientDisconnect client_closed_request 3"])
            #expect(events[false] == events[true])
        }
    }

    /// A client that leaves halfway through its body is audited as a client disconnect (499), on both paths.
    @Test func aClientLeavingMidBodyIsAuditedAsADisconnectOnBothPaths() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            var events: [Bool: String] = [:]
            for fast in [true, false] {
                let log = MemoryRequestLog()
                try await TestGateway.run(
                    yaml: Self.yaml(upstream, fastPath: fast), ports: Self.ports(log, keys: [keyRecord("sb_sk_m")])
                ) { gw in
                    let client = try await Self.rawClient(gw, key: "sb_sk_m")
                    try await client.send(Self.rawPost(key: "sb_sk_m", #"{"model":"chat","#, length: 100))
                    try await Task.sleep(for: .milliseconds(100))
                    await client.close()
                    try await Task.sleep(for: .milliseconds(300))
                }
                let all = try await log.recent(limit: 10, tenant: nil)
                #expect(all.count == 2, "fast path \(fast)")
                events[fast] = all.first { $0.alias == nil }.map {
                    "\($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-")"
                }
            }
            #expect(events[true] == "499 clientDisconnect client_closed_request")
            #expect(events[false] == events[true])
        }
    }

    /// A chunked body with bad framing is the client's error (400), not a disconnect and not the gateway's.
    @Test func aMalformedChunkedBodyIsAuditedAsABadRequest() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            let log = MemoryRequestLog()
            try await TestGateway.run(yaml: Self.yaml(upstream), ports: Self.ports(log, keys: [keyRecord("sb_sk_c")])) {
                gw in
                let client = try await Self.rawClient(gw, key: "sb_sk_c")
                try await client.send(Self.rawChunkedHead(key: "sb_sk_c") + "5\r\n{\"mod\r\nzz\r\n")
                let text = try await client.wait(until: { $0.contains("\r\n\r\n") })
                await client.close()
                #expect(text.hasPrefix("HTTP/1.1 400"))
                _ = try await eventually(timeout: .seconds(10)) {
                    try await log.recent(limit: 10, tenant: nil).contains { $0.alias == nil }
                }
                let events = try await log.recent(limit: 10, tenant: nil).filter { $0.alias == nil }
                #expect(
                    events.map { "\($0.httpStatus) \($0.outcome) \($0.errorCode ?? "-")" } == [
                        "400 error malformed_body"
                    ])
            }
        }
    }

    /// A graceful shutdown waits for the answer the fast path is waiting for.
    @Test func shutdownWaitsForTheFastPathsAnswer() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            let log = MemoryRequestLog()
            let reply = try await TestGateway.run(
                yaml: Self.yaml(upstream), ports: Self.ports(log, keys: [keyRecord("sb_sk_g")])
            ) { gw in
                let client = try await Self.rawClient(gw, key: "sb_sk_g")
                try await client.send(Self.rawChat(key: "sb_sk_g", model: "slow"))
                try await Task.sleep(for: .milliseconds(100))
                // The body returns now: the gateway shuts down with the slow answer in flight.
                return client
            }
            let text = try await reply.wait { $0.contains(#""model":"slow""#) }
            await reply.close()
            #expect(text.hasPrefix("HTTP/1.1 200"))
            #expect(try await log.recent(limit: 10, tenant: nil).filter { $0.alias == "slow" }.count == 1)
        }
    }

    @Test func theDateHeaderIsIMFFixdate() {
        // RFC 9110's example, the epoch, a leap day of a century leap year, and today's year's last second.
        #expect(HTTPDate.format(unixSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(unixSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.format(unixSeconds: 1_798_761_599) == "Thu, 31 Dec 2026 23:59:59 GMT")
    }
}

@Suite struct StreamHintTests {
    func hint(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes { StreamHint.asksForStream($0) } }

    @Test func aBodyAskingForAStreamIsToldWithoutParsing() {
        #expect(hint(#"{"model":"m","stream":true,"messages":[]}"#))
        #expect(hint("{\"stream\" :\n\ttrue}"))
        #expect(hint(#"{"messages":[{"role":"user","content":"stream"}],"stream": true}"#))
        #expect(!hint(#"{"model":"m","stream":false}"#))
        #expect(!hint(#"{"model":"m","stream_options":{"include_usage":true}}"#))
        #expect(!hint(#"{"messages":[{"role":"user","content":"stream"}]}"#))
        #expect(!hint(#"{"messages":[{"role":"user","content":"\"stream\": true"}]}"#))
        #expect(!hint(#"{"model":"m","stream":"#))
        #expect(!hint(""))
    }
}
