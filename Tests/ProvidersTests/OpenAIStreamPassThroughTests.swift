import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

/// An OpenAI-family stream that needs no translation reaches the relay as the upstream wrote each chunk; chunks
/// the gateway must change or cannot pass on as one SSE line are parsed.
@Suite struct OpenAIStreamPassThroughTests {
    func text(_ chunk: StreamChunk) -> String? {
        guard case .text(let text) = chunk else { return nil }
        return String(decoding: text.bytes, as: UTF8.self)
    }

    @Test func chunksArePassedOnAsWrittenUnlessTheyMustBeParsed() async throws {
        let spaced =
            #"{"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": "m", "#
            + #""choices": [{"index": 0, "delta": {"content": "caf\u00e9 1.50"}, "logprobs": {"p": 1.0E0}}]}"#
        let toolCall =
            #"{"id":"up-1","choices":[{"index":0,"delta":{"tool_calls":[{"id":"c1","type":"function","#
            + #""function":{"name":"f","arguments":""}}]}}]}"#
        let usage = #"{"id":"up-1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#
        let events = [spaced, toolCall, "{\"id\":\"up-1\",\n\"choices\":[]}", usage, "[DONE]"]
        let server = try await ScriptedHTTPServer.start([
            .chunked(chunks: events.map { "data: " + $0.replacingOccurrences(of: "\n", with: "\ndata: ") + "\n\n" })
        ])
        let http = UpstreamHTTPPoolTests.client()
        try await UpstreamHTTPPoolTests.closing(http, server) { () async throws in
            let provider = OpenAIProvider(http: http, baseURL: "http://127.0.0.1:\(server.port)/v1", name: "openai")
            let call = ProviderCall(
                target: RouteTarget(provider: ProviderRef(family: .openai), model: "m"), credential: "sk",
                endpoint: .chat, body: ["model": "alias", "messages": []], requestID: "r")
            let started = try await provider.stream(call)
            var chunks: [StreamChunk] = []
            while true {
                let batch = try await started.chunks.nextBatch()
                if batch.isEmpty { break }
                chunks += batch
            }
            #expect(chunks.count == 4)
            // As written: spacing, escapes, number spelling.
            #expect(text(chunks[0]) == spaced)
            // A tool call: parsed, so that the indexer sees it.
            #expect(text(chunks[1]) == nil)
            #expect(chunks[1].object["choices"]?[0]?["delta"]?["tool_calls"]?[0]?["index"] == 0)
            // Written over two data lines: parsed, since one SSE line cannot carry it as it is.
            #expect(text(chunks[2]) == nil)
            #expect(chunks[2].object == ["id": "up-1", "choices": []])
            #expect(text(chunks[3]) == usage)
        }
    }

    @Test func whatIsPassedThrough() {
        #expect(OpenAIProvider.passThrough(#"{"a":1}"#) != nil)
        #expect(OpenAIProvider.passThrough(#"{"a":"say \"tool_calls\" here"}"#) != nil)
        #expect(OpenAIProvider.passThrough(#"{"a":{"tool_calls":[]}}"#) == nil)
        #expect(OpenAIProvider.passThrough(#"{"error":{"message":"x"}}"#) == nil)
        #expect(OpenAIProvider.passThrough(#"{"a":1,"a":2}"#) == nil)
        #expect(OpenAIProvider.passThrough(#"[1]"#) == nil)
        #expect(OpenAIProvider.passThrough(#"{"a":"#) == nil)
        #expect(OpenAIProvider.passThrough("{\"a\":\r1}") == nil)
    }
}
