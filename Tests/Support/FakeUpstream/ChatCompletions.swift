import HTTPTypes
import Hummingbird

/// `POST /v1/chat/completions`: echo replies, tool calls, `n` choices, token limits, buffered or streamed.
struct ChatCompletions {
    let state: ServerState

    func respond(to request: ChatCompletionRequest, behavior: ModelBehavior) -> Response {
        if behavior.isNoChat { return ErrorEnvelope.noChatModel }

        let promptTokens = request.messages.reduce(0) { $0 + WordText.count($1.content?.text ?? "") }
        if state.bench.applies(to: request) {
            return JSONResponse.ok(state.bench.body(promptTokens: promptTokens))
        }

        let choiceCount = max(1, request.n ?? 1)
        let plan: Plan
        if behavior.toolCallCount > 0, let toolName = request.tools?.first?.function?.name {
            plan = .tools(
                (0..<behavior.toolCallCount).map {
                    ToolCall(index: $0, name: toolName, noArguments: behavior.toolArgumentsEmpty)
                })
        } else {
            let text: String
            if request.model == BenchTemplate.model {
                text = BenchTemplate.reply
            } else {
                let lastUser = request.messages.last { $0.role == "user" }
                text = "You said: " + (lastUser?.content?.text ?? "")
            }
            plan = .text(ReplyText(text, limit: request.max_completion_tokens ?? request.max_tokens))
        }

        let header = ChunkHeader(
            id: "chatcmpl-fake\(state.ids.next())", created: unixNow(), model: request.model)
        let usage = Usage(prompt: promptTokens, completion: plan.completionTokens * choiceCount)
        if request.stream == true {
            return stream(
                plan, header: header, choices: choiceCount, usage: usage,
                includeUsage: request.stream_options?.include_usage == true,
                abortsMidstream: behavior.breaksMidstream)
        }
        return JSONResponse.ok(buffered(plan, header: header, choices: choiceCount, usage: usage).byteBuffer)
    }

    // MARK: Reply plan

    struct ToolCall {
        let index: Int
        let name: String
        /// `{}` instead of a location (the `noargs` model word).
        var noArguments = false
        var id: String { "call_fake_\(index)" }
        var arguments: String {
            if noArguments { return "{}" }
            return index == 0 ? #"{"location":"Paris"}"# : #"{"location":"Tokyo"}"#
        }

        /// The arguments split into three stream pieces (`{}` in one piece).
        var argumentPieces: [String] {
            if noArguments { return [arguments] }
            let characters = Array(arguments)
            let first = characters.count / 3
            let second = characters.count * 2 / 3
            return [
                String(characters[..<first]), String(characters[first..<second]), String(characters[second...]),
            ]
        }
    }

    enum Plan {
        case text(ReplyText)
        case tools([ToolCall])

        /// Completion tokens per choice (tool calls count as 3 tokens each: one per streamed argument piece).
        var completionTokens: Int {
            switch self {
            case .text(let reply): reply.tokens
            case .tools(let calls): calls.count * 3
            }
        }

        var finishReason: String {
            switch self {
            case .text(let reply): reply.finishReason
            case .tools: "tool_calls"
            }
        }
    }

    // MARK: Buffered

    private func buffered(_ plan: Plan, header: ChunkHeader, choices: Int, usage: Usage) -> JSONText {
        var json = JSONText(capacity: 512)
        json.raw("{\"id\":")
        json.string(header.id)
        json.raw(",\"object\":\"chat.completion\",\"created\":")
        json.int(header.created)
        json.raw(",\"model\":")
        json.string(header.model)
        json.raw(",\"choices\":[")
        for index in 0..<choices {
            if index > 0 { json.raw(",") }
            json.raw("{\"index\":")
            json.int(index)
            json.raw(",\"message\":{\"role\":\"assistant\",\"content\":")
            switch plan {
            case .text(let reply):
                json.string(reply.content)
            case .tools(let calls):
                json.raw("null,\"tool_calls\":[")
                for call in calls {
                    if call.index > 0 { json.raw(",") }
                    json.raw("{\"id\":")
                    json.string(call.id)
                    json.raw(",\"type\":\"function\",\"function\":{\"name\":")
                    json.string(call.name)
                    json.raw(",\"arguments\":")
                    json.string(call.arguments)
                    json.raw("}}")
                }
                json.raw("]")
            }
            json.raw(",\"refusal\":null},\"logprobs\":null,\"finish_reason\":")
            json.string(plan.finishReason)
            json.raw("}")
        }
        json.raw("],\"usage\":")
        usage.write(to: &json)
        json.raw(",\"system_fingerprint\":\"fp_fake\"}")
        return json
    }

    // MARK: Streamed

    private func stream(
        _ plan: Plan, header: ChunkHeader, choices: Int, usage: Usage, includeUsage: Bool, abortsMidstream: Bool
    ) -> Response {
        var events = ServerSentEvents()
        func chunk(_ choice: Int, delta: (inout JSONText) -> Void, finishReason: String? = nil) {
            var json = header.chunkStart(object: "chat.completion.chunk", capacity: 256)
            json.raw("{\"index\":")
            json.int(choice)
            json.raw(",\"delta\":")
            delta(&json)
            json.raw(",\"logprobs\":null,\"finish_reason\":")
            json.stringOrNull(finishReason)
            json.raw("}]")
            if includeUsage { json.raw(",\"usage\":null") }
            json.raw("}")
            events.append(json)
        }

        switch plan {
        case .text(let reply):
            for choice in 0..<choices {
                chunk(choice, delta: { $0.raw("{\"role\":\"assistant\",\"content\":\"\"}") })
            }
            for piece in reply.pieces {
                for choice in 0..<choices {
                    chunk(
                        choice,
                        delta: { json in
                            json.raw("{\"content\":")
                            json.string(piece)
                            json.raw("}")
                        })
                }
            }
        case .tools(let calls):
            for choice in 0..<choices {
                chunk(choice, delta: { $0.raw("{\"role\":\"assistant\",\"content\":null}") })
            }
            for call in calls {
                for choice in 0..<choices {
                    chunk(
                        choice,
                        delta: { json in
                            json.raw("{\"tool_calls\":[{\"index\":")
                            json.int(call.index)
                            json.raw(",\"id\":")
                            json.string(call.id)
                            json.raw(",\"type\":\"function\",\"function\":{\"name\":")
                            json.string(call.name)
                            json.raw(",\"arguments\":\"\"}}]}")
                        })
                }
                for piece in call.argumentPieces {
                    for choice in 0..<choices {
                        chunk(
                            choice,
                            delta: { json in
                                json.raw("{\"tool_calls\":[{\"index\":")
                                json.int(call.index)
                                json.raw(",\"function\":{\"arguments\":")
                                json.string(piece)
                                json.raw("}}]}")
                            })
                    }
                }
            }
        }
        if abortsMidstream {
            // The role chunk(s) and the first two words, then the connection drops.
            return events.response(delayMilliseconds: state.streamDelayMilliseconds, abortAfter: choices * 3)
        }
        for choice in 0..<choices {
            chunk(choice, delta: { $0.raw("{}") }, finishReason: plan.finishReason)
        }
        if includeUsage {
            var json = header.chunkStart(object: "chat.completion.chunk", capacity: 256)
            json.raw("],\"usage\":")
            usage.write(to: &json)
            json.raw("}")
            events.append(json)
        }
        events.appendDone()
        return events.response(delayMilliseconds: state.streamDelayMilliseconds)
    }
}
