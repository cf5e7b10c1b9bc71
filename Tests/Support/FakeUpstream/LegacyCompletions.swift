import HTTPTypes
import Hummingbird

/// `POST /v1/completions`: legacy `text_completion` echo of the (first) prompt, buffered or streamed.
struct LegacyCompletions {
    let state: ServerState

    func respond(to request: CompletionRequest, behavior: ModelBehavior) -> Response {
        let prompt = request.prompt?.items.first ?? ""
        let promptTokens = request.prompt?.tokenCounts.first ?? 0
        let reply = ReplyText("You said: " + prompt, limit: request.max_tokens)
        let choices = max(1, request.n ?? 1)
        let usage = Usage(prompt: promptTokens, completion: reply.tokens * choices)
        let header = ChunkHeader(id: "cmpl-fake\(state.ids.next())", created: unixNow(), model: request.model)

        guard request.stream == true else {
            var json = header.chunkStart(object: "text_completion", capacity: 384, fingerprint: false)
            for index in 0..<choices {
                if index > 0 { json.raw(",") }
                choice(&json, index: index, text: reply.content, finishReason: reply.finishReason)
            }
            json.raw("],\"usage\":")
            usage.write(to: &json)
            json.raw("}")
            return JSONResponse.ok(json.byteBuffer)
        }

        let includeUsage = request.stream_options?.include_usage == true
        var events = ServerSentEvents()
        func chunk(_ index: Int, text: String, finishReason: String?) {
            var json = header.chunkStart(object: "text_completion", capacity: 256, fingerprint: false)
            choice(&json, index: index, text: text, finishReason: finishReason)
            json.raw("]")
            if includeUsage { json.raw(",\"usage\":null") }
            json.raw("}")
            events.append(json)
        }
        for piece in reply.pieces {
            for index in 0..<choices { chunk(index, text: piece, finishReason: nil) }
        }
        if behavior.breaksMidstream {
            return events.response(delayMilliseconds: state.streamDelayMilliseconds, abortAfter: choices * 2)
        }
        for index in 0..<choices { chunk(index, text: "", finishReason: reply.finishReason) }
        if includeUsage {
            var json = header.chunkStart(object: "text_completion", capacity: 256, fingerprint: false)
            json.raw("],\"usage\":")
            usage.write(to: &json)
            json.raw("}")
            events.append(json)
        }
        events.appendDone()
        return events.response(delayMilliseconds: state.streamDelayMilliseconds)
    }

    private func choice(_ json: inout JSONText, index: Int, text: String, finishReason: String?) {
        json.raw("{\"text\":")
        json.string(text)
        json.raw(",\"index\":")
        json.int(index)
        json.raw(",\"logprobs\":null,\"finish_reason\":")
        json.stringOrNull(finishReason)
        json.raw("}")
    }
}
