import GatewayCore
import GatewaySchema

/// Turns a stream of `chat.completion.chunk` objects into the Responses API's stream events. A pure state
/// machine: `start()` once, `consume(_:)` per chunk, then `finish()` (or `fail(code:message:)` when the
/// upstream breaks off). Every event carries the next `sequence_number`, from 0.
///
/// Output items open as the chunks need them: visible reasoning (`reasoning_content`) as a `reasoning` item,
/// text as a `message` item with one `output_text` part, each tool call as a `function_call` item. Reasoning
/// and text close when a later item opens; function calls close at the end (parallel calls may interleave).
/// The end is `response.completed`, or `response.incomplete` when the finish reason was `length` or
/// `content_filter`, carrying the full response with its usage.
public struct ResponsesStream: Sendable {
    enum Kind: Sendable, Equatable {
        case reasoning
        case message
        case functionCall(callID: String, name: String)
    }

    struct Item: Sendable {
        var kind: Kind
        var id: String
        /// Text, reasoning or arguments so far.
        var text = ""
        var open = true
        /// The status it was closed with.
        var status = "in_progress"
    }

    let request: ResponsesRequest
    let id: String
    let createdAt: Int
    var sequence = 0
    var items: [Item] = []
    /// Output index of the open reasoning or message item.
    var openReasoning: Int?
    var openMessage: Int?
    /// Chat tool-call index → output index.
    var toolItems: [Int: Int] = [:]
    var finishReason: String?
    /// The usage from the final usage chunk.
    public private(set) var usage: Usage?

    public init(request: ResponsesRequest, id: String, createdAt: Int) {
        self.request = request
        self.id = id
        self.createdAt = createdAt
    }

    /// `response.created` and `response.in_progress`.
    public mutating func start() -> [JSONObject] {
        let snapshot = Self.eventValue(response(.inProgress, completedAt: nil))
        return [
            event("response.created", ["response": snapshot]),
            event("response.in_progress", ["response": snapshot]),
        ]
    }

    /// The events for one chat chunk.
    public mutating func consume(_ chunk: JSONObject) -> [JSONObject] {
        if let usage = Usage(chunk["usage"]) { self.usage = usage }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return [] }
        var events: [JSONObject] = []
        let delta = choice["delta"]
        if let reasoning = delta?["reasoning_content"]?.stringValue, !reasoning.isEmpty {
            events += reasoningDelta(reasoning)
        }
        if let text = delta?["content"]?.stringValue, !text.isEmpty {
            events += textDelta(text)
        }
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            events += toolCallDelta(call)
        }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        return events
    }

    /// Closes the open items and ends with `response.completed` or `response.incomplete`.
    public mutating func finish(completedAt: Int? = nil) -> [JSONObject] {
        let outcome = ResponsesResponse.Outcome(finishReason: finishReason)
        var events: [JSONObject] = []
        for index in items.indices where items[index].open {
            events += close(index, status: outcome.itemStatus)
        }
        let type = outcome == .completed ? "response.completed" : "response.incomplete"
        events.append(event(type, ["response": Self.eventValue(response(outcome, completedAt: completedAt))]))
        return events
    }

    /// `response.failed` with `error: {code, message}`; items still open are reported `incomplete`.
    public mutating func fail(code: String, message: String) -> [JSONObject] {
        for index in items.indices where items[index].open {
            items[index].open = false
            items[index].status = "incomplete"
        }
        let failed = response(.failed(code: code, message: message), completedAt: nil)
        return [event("response.failed", ["response": Self.eventValue(failed)])]
    }

    // MARK: items

    mutating func reasoningDelta(_ delta: String) -> [JSONObject] {
        var events: [JSONObject] = []
        let index: Int
        if let open = openReasoning {
            index = open
        } else {
            events += closeTransient()
            index = open(.reasoning, prefix: "rs", into: &events)
            openReasoning = index
        }
        items[index].text += delta
        events.append(
            event(
                "response.reasoning_text.delta",
                [
                    "item_id": .string(items[index].id), "output_index": .number(JSONNumber(index)),
                    "content_index": 0, "delta": .string(delta),
                ]))
        return events
    }

    mutating func textDelta(_ delta: String) -> [JSONObject] {
        var events: [JSONObject] = []
        let index: Int
        if let open = openMessage {
            index = open
        } else {
            events += closeTransient()
            for other in items.indices where items[other].open { events += close(other, status: "completed") }
            index = open(.message, prefix: "msg", into: &events)
            openMessage = index
            events.append(
                event(
                    "response.content_part.added",
                    [
                        "item_id": .string(items[index].id), "output_index": .number(JSONNumber(index)),
                        "content_index": 0, "part": ResponsesResponse.textPart(""),
                    ]))
        }
        items[index].text += delta
        events.append(
            event(
                "response.output_text.delta",
                [
                    "item_id": .string(items[index].id), "output_index": .number(JSONNumber(index)),
                    "content_index": 0, "delta": .string(delta), "logprobs": [],
                ]))
        return events
    }

    mutating func toolCallDelta(_ call: JSONValue) -> [JSONObject] {
        var events: [JSONObject] = []
        let chatIndex = call["index"]?.intValue ?? 0
        let index: Int
        if let known = toolItems[chatIndex] {
            index = known
        } else {
            events += closeTransient()
            let callID = call["id"]?.stringValue ?? ResponsesResponse.newItemID("call")
            let name = call["function"]?["name"]?.stringValue ?? ""
            index = open(.functionCall(callID: callID, name: name), prefix: "fc", into: &events)
            toolItems[chatIndex] = index
        }
        guard let arguments = call["function"]?["arguments"]?.stringValue, !arguments.isEmpty else { return events }
        items[index].text += arguments
        events.append(
            event(
                "response.function_call_arguments.delta",
                [
                    "item_id": .string(items[index].id), "output_index": .number(JSONNumber(index)),
                    "delta": .string(arguments),
                ]))
        return events
    }

    /// Opens an item: `response.output_item.added`; returns its output index.
    mutating func open(_ kind: Kind, prefix: String, into events: inout [JSONObject]) -> Int {
        let index = items.count
        items.append(Item(kind: kind, id: ResponsesResponse.newItemID(prefix)))
        events.append(
            event(
                "response.output_item.added",
                ["output_index": .number(JSONNumber(index)), "item": snapshot(items[index], added: true)]))
        return index
    }

    /// Closes the open reasoning and message items (a new item is starting).
    mutating func closeTransient() -> [JSONObject] {
        var events: [JSONObject] = []
        if let index = openReasoning { events += close(index, status: "completed") }
        if let index = openMessage { events += close(index, status: "completed") }
        return events
    }

    /// The `…done` events of one item.
    mutating func close(_ index: Int, status: String) -> [JSONObject] {
        guard items[index].open else { return [] }
        items[index].open = false
        items[index].status = status
        if openReasoning == index { openReasoning = nil }
        if openMessage == index { openMessage = nil }
        let item = items[index]
        let itemID: JSONValue = .string(item.id)
        let outputIndex: JSONValue = .number(JSONNumber(index))
        var events: [JSONObject] = []
        switch item.kind {
        case .reasoning:
            events.append(
                event(
                    "response.reasoning_text.done",
                    ["item_id": itemID, "output_index": outputIndex, "content_index": 0, "text": .string(item.text)]))
        case .message:
            events.append(
                event(
                    "response.output_text.done",
                    [
                        "item_id": itemID, "output_index": outputIndex, "content_index": 0, "text": .string(item.text),
                        "logprobs": [],
                    ]))
            events.append(
                event(
                    "response.content_part.done",
                    [
                        "item_id": itemID, "output_index": outputIndex, "content_index": 0,
                        "part": ResponsesResponse.textPart(item.text),
                    ]))
        case .functionCall(_, let name):
            events.append(
                event(
                    "response.function_call_arguments.done",
                    [
                        "item_id": itemID, "name": .string(name), "output_index": outputIndex,
                        "arguments": .string(item.text),
                    ]))
        }
        events.append(event("response.output_item.done", ["output_index": outputIndex, "item": snapshot(item)]))
        return events
    }

    /// An item as the spec shows it; `added` is the empty in-progress form of `response.output_item.added`.
    func snapshot(_ item: Item, added: Bool = false) -> JSONValue {
        switch item.kind {
        case .reasoning:
            // The content part is there from the start, so `reasoning_text.delta` (content_index 0) has a target.
            return ResponsesResponse.reasoningItem(id: item.id, text: added ? "" : item.text)
        case .message:
            return ResponsesResponse.messageItem(
                id: item.id, status: item.status, content: added ? [] : [ResponsesResponse.textPart(item.text)])
        case .functionCall(let callID, let name):
            return ResponsesResponse.functionCallItem(
                id: item.id, callID: callID, name: name, arguments: added ? "" : item.text, status: item.status)
        }
    }

    func response(_ outcome: ResponsesResponse.Outcome, completedAt: Int?) -> JSONObject {
        let output = outcome == .inProgress ? [] : items.map { snapshot($0) }
        return ResponsesResponse.object(
            id: id, createdAt: createdAt, completedAt: completedAt, request: request, outcome: outcome,
            output: output, usage: outcome == .inProgress ? nil : usage)
    }

    static func eventValue(_ object: JSONObject) -> JSONValue { .object(object) }

    /// An event: `type`, the fields, then the next `sequence_number`.
    mutating func event(_ type: String, _ fields: JSONObject) -> JSONObject {
        var object: JSONObject = ["type": .string(type)]
        for (key, value) in fields { object[key] = value }
        object["sequence_number"] = .number(JSONNumber(sequence))
        sequence += 1
        return object
    }
}
