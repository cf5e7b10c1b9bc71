import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

/// Reassembles OpenAI chat chunks the way the openai SDK's stream helper does, checking the invariants a
/// client relies on: tool-call indexes are dense and in order, the first delta of a call carries its id and
/// name, at most one finish reason, the usage chunk has `choices: []` and comes last.
struct ChunkAssembler {
    struct ToolCall: Equatable {
        var id: String
        var name: String
        var arguments: String
    }

    var role: String?
    var content = ""
    var reasoning = ""
    var toolCalls: [ToolCall] = []
    var finishReason: String?
    var usage: Usage?
    var chunkCount = 0

    mutating func add(_ chunk: JSONObject) {
        chunkCount += 1
        #expect(chunk["object"] == "chat.completion.chunk")
        #expect(usage == nil, "nothing may follow the usage chunk")
        let choices = chunk["choices"]?.arrayValue ?? []
        if choices.isEmpty {
            usage = Usage(chunk["usage"])
            #expect(usage != nil, "a chunk without choices must carry usage")
            return
        }
        #expect(choices.count == 1)
        let choice = choices[0]
        #expect(choice["index"] == 0)
        if let reason = choice["finish_reason"]?.stringValue {
            #expect(finishReason == nil, "one finish reason per choice")
            finishReason = reason
        }
        guard let delta = choice["delta"]?.objectValue else {
            Issue.record("a choice without delta")
            return
        }
        if let value = delta["role"]?.stringValue { role = value }
        content += delta["content"]?.stringValue ?? ""
        reasoning += delta["reasoning_content"]?.stringValue ?? ""
        for call in delta["tool_calls"]?.arrayValue ?? [] {
            guard let index = call["index"]?.intValue else {
                Issue.record("a tool-call delta without index")
                continue
            }
            if index == toolCalls.count {
                #expect(call["id"]?.stringValue != nil, "the first delta of a tool call carries its id")
                #expect(call["type"] == "function")
                toolCalls.append(
                    ToolCall(
                        id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                        arguments: call["function"]?["arguments"]?.stringValue ?? ""))
            } else if index < toolCalls.count {
                #expect(call["id"] == nil || call["id"]?.stringValue == toolCalls[index].id)
                toolCalls[index].arguments += call["function"]?["arguments"]?.stringValue ?? ""
            } else {
                Issue.record("tool-call index \(index) skips \(toolCalls.count)")
            }
        }
    }
}

/// Reads a recorded SSE stream into its events' JSON objects.
func sseObjects(_ bytes: [UInt8]) throws -> [JSONObject] {
    var decoder = SSEDecoder()
    // Recorded files may end without the blank line that terminates the last event.
    var events = try (bytes + Array("\n\n".utf8)).withUnsafeBytes { try decoder.feed($0) }
    events += decoder.finish()
    return try events.map { event in
        guard case .object(let object) = try JSONParser.parse(event.data) else {
            throw ProviderError(.invalidResponse, message: "not an object")
        }
        return object
    }
}

func fixture(_ path: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + path, withExtension: nil))
    return Array(try Data(contentsOf: url))
}
