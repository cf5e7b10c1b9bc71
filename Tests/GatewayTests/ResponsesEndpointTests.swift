import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import Testing

/// `/v1/responses` through the mock provider, in process: routing, translation both ways and the stream events.
@Suite(.serialized) struct ResponsesEndpointTests {
    @Test func bufferedAndStreamedResponsesThroughAChatAlias() async throws {
        try await TestGateway.run(yaml: mockYAML, keys: [keyRecord("sb_sk_good")]) { gw in
            let buffered = try await gw.request(
                "/v1/responses", key: "sb_sk_good", body: #"{"model":"mock","input":"hi there","instructions":"x"}"#)
            #expect(buffered.status == 200)
            let response = try #require(buffered.json)
            #expect(response["object"] == "response")
            #expect(response["status"] == "completed")
            #expect(response["model"] == "mock")
            #expect(response["id"]?.stringValue?.hasPrefix("resp_") == true)
            #expect(response["output"]?.arrayValue?.first?["type"] == "message")
            #expect(response["usage"]?["input_tokens"]?.intValue != nil)

            let streamed = try await gw.request(
                "/v1/responses", key: "sb_sk_good", body: #"{"model":"mock","input":"hi there","stream":true}"#)
            #expect(streamed.status == 200)
            #expect(streamed.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            let names = streamed.body.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map {
                String($0.dropFirst("event: ".count))
            }
            #expect(names.first == "response.created")
            #expect(names.last == "response.completed")
            #expect(!streamed.body.contains("[DONE]"))

            let stored = try await gw.request(
                "/v1/responses", key: "sb_sk_good",
                body: #"{"model":"mock","input":"hi","previous_response_id":"resp_1"}"#)
            #expect(stored.status == 400)
            #expect(stored.json?["error"]?["param"] == "previous_response_id")
        }
    }
}
