import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import TestSupport
import Testing

@Suite(.serialized) struct EdgeTests {
    @Test func everyResponseCarriesARequestIDAndRejectionsUseTheEnvelope() async throws {
        try await TestGateway.run(
            yaml: mockYAML,
            keys: [keyRecord("sb_sk_good"), keyRecord("sb_sk_old", expires: Date(timeIntervalSince1970: 1))]
        ) { gw in
            let missing = try await gw.chat(key: nil)
            #expect(missing.status == 401)
            #expect(missing.json?["error"]?["code"] == "invalid_api_key")
            #expect(missing.headers["x-request-id"]?.hasPrefix("req_") == true)
            #expect(try await gw.chat(key: "sb_sk_wrong").status == 401)
            let expired = try await gw.chat(key: "sb_sk_old")
            #expect(expired.status == 401)
            #expect(expired.json?["error"]?["message"] == "This API key has expired.")
            let ok = try await gw.chat(key: "sb_sk_good")
            #expect(ok.status == 200)
            #expect(ok.headers["x-request-id"] != missing.headers["x-request-id"])
            // The scheme is case-insensitive and may be followed by several spaces; anything else is refused.
            for (header, status) in [
                ("bearer sb_sk_good", 200), ("BEARER   sb_sk_good", 200), ("BeArEr sb_sk_good", 200),
                ("Basic sb_sk_good", 401), ("Bearer", 401), ("Bearer ", 401), ("Bearersb_sk_good", 401),
                ("Bearer\tsb_sk_good", 401), ("Bearér sb_sk_good", 401),
            ] {
                let reply = try await gw.request(
                    "/v1/models", method: "GET", key: nil, headers: ["authorization": header])
                #expect(reply.status == status, "\(header)")
            }
            let unknownPath = try await gw.request("/v1/nothing", method: "GET", key: "sb_sk_good")
            #expect(unknownPath.status == 404)
            #expect(unknownPath.json?["error"]?["type"] == "invalid_request_error")
        }
    }

    @Test func modelAllowListAndUnknownModels() async throws {
        try await TestGateway.run(yaml: mockYAML, keys: [keyRecord("sb_sk_limited", models: ["mock"])]) { gw in
            #expect(try await gw.chat(key: "sb_sk_limited", model: "mock").status == 200)
            let forbidden = try await gw.chat(key: "sb_sk_limited", model: "other")
            #expect(forbidden.status == 403)
            #expect(forbidden.json?["error"]?["code"] == "model_not_allowed")
            let models = try await gw.request("/v1/models", method: "GET", key: "sb_sk_limited")
            #expect(models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["mock"])
        }
        try await TestGateway.run(yaml: mockYAML, keys: [keyRecord("sb_sk_all")]) { gw in
            let unknown = try await gw.chat(key: "sb_sk_all", model: "gpt-nope")
            #expect(unknown.status == 404)
            #expect(unknown.json?["error"]?["code"] == "model_not_found")
            #expect(unknown.json?["error"]?["param"] == "model")
        }
    }

    @Test func bodyLimitsAndMalformedInput() async throws {
        let yaml = mockYAML + "\nserver: { max_body_bytes: 4096, max_json_depth: 16 }"
        try await TestGateway.run(yaml: yaml, keys: [keyRecord("sb_sk_k")]) { gw in
            let big = String(repeating: "x", count: 5000)
            let tooLarge = try await gw.chat(key: "sb_sk_k", extra: #","padding":"\#(big)""#)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json?["error"]?["code"] == "request_too_large")
            let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
            let tooDeep = try await gw.chat(key: "sb_sk_k", extra: #","deep":\#(deep)"#)
            #expect(tooDeep.status == 400)
            #expect(tooDeep.json?["error"]?["code"] == "json_too_deep")
            let invalid = try await gw.request("/v1/chat/completions", key: "sb_sk_k", body: #"{"model":"mock","#)
            #expect(invalid.status == 400)
            #expect(invalid.json?["error"]?["code"] == "invalid_json")
            let noMessages = try await gw.request("/v1/chat/completions", key: "sb_sk_k", body: #"{"model":"mock"}"#)
            #expect(noMessages.status == 400)
            #expect(noMessages.json?["error"]?["param"] == "messages")
        }
    }

    /// 500 concurrent requests against a limit of 100 per minute admit exactly 100; the others get 429 with
    /// Retry-After, and every response carries the rate-limit headers.
    @Test func quotaAdmitsExactlyTheLimitUnderConcurrency() async throws {
        let yaml = """
            limits: { rpm: 100, rpd: 100000 }
            providers: { mock: { stream_delay_ms: 0 } }
            routes: { mock: { targets: [{ provider: mock, model: m }] } }
            """
        try await TestGateway.run(yaml: yaml, keys: [keyRecord("sb_sk_q")]) { gw in
            try await avoidMinuteBoundary(20)  // all 500 in one quota window
            let replies = try await withThrowingTaskGroup(of: TestGateway.Reply.self) { group in
                for _ in 0..<500 { group.addTask { try await gw.chat(key: "sb_sk_q") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 200 }.count == 100)
            let limited = replies.filter { $0.status == 429 }
            #expect(limited.count == 400)
            #expect(limited.allSatisfy { Int($0.headers["retry-after"] ?? "") ?? 0 >= 1 })
            #expect(limited.allSatisfy { $0.json?["error"]?["code"] == "rate_limit_exceeded" })
            #expect(replies.allSatisfy { $0.headers["x-ratelimit-limit-requests"] == "100" })
            #expect(limited.allSatisfy { $0.headers["x-ratelimit-remaining-requests"] == "0" })
        }
    }

    /// Every request, rejected or served, buffered or streamed, ends up exactly once in the request log.
    @Test func everyRequestIsAuditedExactlyOnce() async throws {
        let log = MemoryRequestLog()
        let ports = GatewayPorts(
            keys: MemoryAPIKeyStore([keyRecord("sb_sk_a", tenant: "acme", models: ["mock"])]),
            quotas: MemoryQuotaStore(),
            routes: MemoryRouteStore(), queue: MemoryQueue(), requestLog: log, responses: MemoryResponseStore(),
            vectors: MemoryVectorStore(),
            ragJobs: MemoryRAGJobStore())
        let ids = try await TestGateway.run(yaml: mockYAML, ports: ports) { gw in
            var ids: [String: Int] = [:]
            for reply in [
                try await gw.chat(key: "sb_sk_a"), try await gw.chat(key: "sb_sk_a", stream: true),
                try await gw.chat(key: nil), try await gw.chat(key: "sb_sk_a", model: "other"),
                try await gw.chat(key: "sb_sk_a", model: "ghost"),
            ] {
                ids[reply.headers["x-request-id"]!] = reply.status
            }
            return ids
        }
        let events = try await log.recent(limit: 100, tenant: nil)
        #expect(events.count == 5)
        for event in events {
            #expect(ids[event.requestID] == event.httpStatus)
        }
        let streamed = try #require(events.first { $0.stream })
        #expect(streamed.outcome == .success)
        #expect(streamed.tenant == "acme")
        #expect(streamed.keyLabel == "label-acme")
        #expect(streamed.promptTokens == 5)
        #expect(streamed.completionTokens == 10)
        #expect(streamed.provider == "mock")
        #expect(streamed.attempts.count == 1)
        #expect(events.first { $0.httpStatus == 401 }?.errorCode == "invalid_api_key")
        #expect(Set(events.filter { $0.httpStatus == 403 }.compactMap(\.alias)) == ["other", "ghost"])
    }
}
