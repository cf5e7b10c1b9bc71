import GatewayCore
import GatewaySchema

/// Gives streamed tool-call deltas the `index` OpenAI clients need to reassemble them. Some OpenAI-compatible
/// servers (Gemini's among them) send each tool call whole, without `index`, which breaks the openai SDK's
/// stream helpers; a call with an `id` or a function `name` starts the next index (and gets an `id` if it has
/// none, so the client can answer it), a fragment without either continues the last. Deltas that carry an
/// index pass through untouched.
struct ToolCallIndexer: Sendable {
    /// Calls seen per choice.
    var counts: [Int: Int] = [:]

    mutating func normalize(_ chunk: inout JSONObject) {
        guard var choices = chunk["choices"]?.arrayValue else { return }
        var changed = false
        for position in choices.indices {
            guard case .object(var choice) = choices[position], case .object(var delta)? = choice["delta"],
                case .array(var calls)? = delta["tool_calls"]
            else { continue }
            let choiceIndex = choice["index"]?.intValue ?? position
            for callPosition in calls.indices {
                guard case .object(var call) = calls[callPosition] else { continue }
                if let index = call["index"]?.intValue {
                    counts[choiceIndex] = max(counts[choiceIndex, default: 0], index + 1)
                    continue
                }
                let seen = counts[choiceIndex, default: 0]
                let starts = call["id"] != nil || call["function"]?["name"] != nil || seen == 0
                let index = starts ? seen : seen - 1
                counts[choiceIndex] = max(seen, index + 1)
                if starts && (call["id"]?.stringValue ?? "").isEmpty {
                    call["id"] = .string("call_" + RandomID.base62(24))
                    if call["type"] == nil { call["type"] = "function" }
                }
                // `index` first, as OpenAI orders it.
                var ordered: JSONObject = ["index": .number(JSONNumber(index))]
                for (key, value) in call { ordered[key] = value }
                call = ordered
                calls[callPosition] = .object(call)
                changed = true
            }
            guard changed else { continue }
            delta["tool_calls"] = .array(calls)
            choice["delta"] = .object(delta)
            choices[position] = .object(choice)
        }
        if changed { chunk["choices"] = .array(choices) }
    }
}
