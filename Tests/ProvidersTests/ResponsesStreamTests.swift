import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct ResponsesStreamTests {
    func machine() throws -> ResponsesStream {
        ResponsesStream(
            request: try ResponsesRequest(try json(#"{"model":"fast","input":"Hi","stream":true}"#)), id: "resp_1",
            createdAt: 7)
    }

    /// Runs the whole stream and returns every event.
    func run(_ chunks: [JSONObject]) throws -> [JSONObject] {
        var stream = try machine()
        var events = stream.start()
        for chunk in chunks { events += stream.consume(chunk) }
        events += stream.finish(completedAt: 9)
        return events
    }

    func types(_ events: [JSONObject]) -> [String] {
        events.compactMap { $0["type"]?.stringValue }
    }

    let usage = ChatShapes.usageChunk(Usage(promptTokens: 4, completionTokens: 2))

    @Test func textStreamEmitsTheSpecsEventOrder() throws {
        let events = try run([
            ChatShapes.chunk(delta: ["role": "assistant", "content": ""]),
            ChatShapes.chunk(delta: ["content": "Hel"]),
            ChatShapes.chunk(delta: ["content": "lo"]),
            ChatShapes.chunk(delta: [:], finishReason: "stop"),
            usage,
        ])
        #expect(
            types(events) == [
                "response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed",
            ])
        #expect(events.compactMap { $0["sequence_number"]?.intValue } == Array(0..<events.count))
        #expect(events[0]["response"]?["status"] == "in_progress")
        #expect(events[0]["response"]?["output"] == [])
        #expect(events[0]["response"]?["usage"] == nil)
        let itemID = try #require(events[2]["item"]?["id"]?.stringValue)
        #expect(itemID.hasPrefix("msg_"))
        #expect(events[2]["item"]?["status"] == "in_progress")
        #expect(events[2]["item"]?["content"] == [])
        #expect(events[4]["item_id"] == .string(itemID))
        #expect(events[4]["output_index"] == 0)
        #expect(events[4]["content_index"] == 0)
        #expect(events[4]["delta"] == "Hel")
        #expect(events[4]["logprobs"] == [])
        #expect(events[6]["text"] == "Hello")
        #expect(events[7]["part"]?["text"] == "Hello")
        #expect(events[8]["item"]?["status"] == "completed")
        let response = try #require(events[9]["response"])
        #expect(response["id"] == "resp_1")
        #expect(response["status"] == "completed")
        #expect(response["completed_at"] == 9)
        #expect(response["output"]?[0]?["content"]?[0]?["text"] == "Hello")
        #expect(response["usage"]?["input_tokens"] == 4)
        #expect(response["usage"]?["total_tokens"] == 6)
    }

    @Test func toolCallsStreamAsFunctionCallItems() throws {
        let events = try run([
            ChatShapes.chunk(delta: ["role": "assistant", "content": "Checking."]),
            ChatShapes.chunk(
                delta: ChatShapes.toolCallDelta(index: 0, id: "call_a", name: "get_weather", arguments: "")),
            ChatShapes.chunk(delta: ChatShapes.toolCallDelta(index: 0, id: nil, name: nil, arguments: #"{"city":"#)),
            ChatShapes.chunk(delta: ChatShapes.toolCallDelta(index: 0, id: nil, name: nil, arguments: #""Paris"}"#)),
            ChatShapes.chunk(
                delta: ChatShapes.toolCallDelta(index: 1, id: "call_b", name: "get_time", arguments: "{}")),
            ChatShapes.chunk(delta: [:], finishReason: "tool_calls"),
            usage,
        ])
        #expect(
            types(events) == [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.completed",
            ])
        #expect(events[8]["output_index"] == 1)
        #expect(events[8]["item"]?["type"] == "function_call")
        #expect(events[8]["item"]?["call_id"] == "call_a")
        #expect(events[8]["item"]?["name"] == "get_weather")
        #expect(events[8]["item"]?["arguments"] == "")
        #expect(events[13]["arguments"] == #"{"city":"Paris"}"#)
        #expect(events[13]["name"] == "get_weather")
        #expect(events[14]["item"]?["arguments"] == #"{"city":"Paris"}"#)
        #expect(events[14]["item"]?["status"] == "completed")
        let output = try #require(events.last?["response"]?["output"]?.arrayValue)
        #expect(output.map { $0["type"] } == ["message", "function_call", "function_call"])
        #expect(output[2]["call_id"] == "call_b")
        #expect(output[2]["arguments"] == "{}")
    }

    @Test func lengthEndsIncomplete() throws {
        let events = try run([
            ChatShapes.chunk(delta: ["content": "Partial"]),
            ChatShapes.chunk(delta: [:], finishReason: "length"),
            usage,
        ])
        let last = try #require(events.last)
        #expect(last["type"] == "response.incomplete")
        #expect(last["response"]?["status"] == "incomplete")
        #expect(last["response"]?["incomplete_details"] == ["reason": "max_output_tokens"])
        #expect(last["response"]?["output"]?[0]?["status"] == "incomplete")
        #expect(events[events.count - 2]["item"]?["status"] == "incomplete")
    }

    @Test func reasoningStreamsAsAReasoningItem() throws {
        let events = try run([
            ChatShapes.chunk(delta: ["reasoning_content": "Think"]),
            ChatShapes.chunk(delta: ["content": "Answer"]),
            ChatShapes.chunk(delta: [:], finishReason: "stop"),
        ])
        #expect(
            Array(types(events)[2...6]) == [
                "response.output_item.added", "response.reasoning_text.delta", "response.reasoning_text.done",
                "response.output_item.done", "response.output_item.added",
            ])
        #expect(events[2]["item"]?["type"] == "reasoning")
        #expect(events[4]["text"] == "Think")
        #expect(events[6]["output_index"] == 1)
    }

    @Test func failureEndsWithResponseFailed() throws {
        var stream = try machine()
        var events = stream.start()
        events += stream.consume(ChatShapes.chunk(delta: ["content": "Par"]))
        events += stream.fail(code: "server_error", message: "The upstream stream failed: boom")
        let last = try #require(events.last)
        #expect(last["type"] == "response.failed")
        #expect(last["sequence_number"] == .number(JSONNumber(events.count - 1)))
        #expect(last["response"]?["status"] == "failed")
        #expect(
            last["response"]?["error"] == ["code": "server_error", "message": "The upstream stream failed: boom"])
        #expect(last["response"]?["output"]?[0]?["status"] == "incomplete")
        #expect(last["response"]?["output"]?[0]?["content"]?[0]?["text"] == "Par")
    }

    @Test func emptyStreamStillCompletes() throws {
        let events = try run([usage])
        #expect(types(events) == ["response.created", "response.in_progress", "response.completed"])
        #expect(events[2]["response"]?["output"] == [])
        #expect(events[2]["response"]?["usage"]?["output_tokens"] == 2)
    }

    @Test func usageIsKept() throws {
        var stream = try machine()
        _ = stream.start()
        _ = stream.consume(usage)
        #expect(stream.usage == Usage(promptTokens: 4, completionTokens: 2))
    }
}

extension JSONValue {
    /// The element at `index` when this is an array long enough, else `nil` (for reading nested test output).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let values) = self, values.indices.contains(index) else { return nil }
        return values[index]
    }
}
