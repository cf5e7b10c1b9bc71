import NIOCore

/// The `text/event-stream` events of a streamed Anthropic message, shaped like the real API's recordings:
/// `message_start`, per block `content_block_start` / `content_block_delta`… / `content_block_stop` (with a
/// `ping` after the first start), `message_delta` (stop reason, cumulative output tokens), `message_stop`.
struct AnthropicStream {
    let message: AnthropicMessageJSON

    /// With `failingMidstream`, an `error` event (`overloaded_error`) replaces the rest after two text deltas.
    func events(failingMidstream: Bool, requestID: String) -> [ByteBuffer] {
        var events: [ByteBuffer] = []
        func append(_ name: String, _ build: (inout JSONText) -> Void) {
            var json = JSONText(capacity: 256)
            build(&json)
            var buffer = ByteBuffer()
            buffer.writeString("event: \(name)\ndata: ")
            buffer.writeBytes(json.bytes)
            buffer.writeString("\n\n")
            events.append(buffer)
        }
        func delta(_ index: Int, _ build: (inout JSONText) -> Void) {
            append("content_block_delta") { json in
                json.raw("{\"type\":\"content_block_delta\",\"index\":")
                json.int(index)
                json.raw(",\"delta\":")
                build(&json)
                json.raw("}")
            }
        }
        func failure() {
            append("error") { json in
                json = AnthropicErrors.envelope(type: "overloaded_error", message: "Overloaded", requestID: requestID)
            }
        }

        let reply = message.reply
        append("message_start") { json in
            json.raw("{\"type\":\"message_start\",\"message\":")
            json.raw(String(decoding: message.started().bytes, as: UTF8.self))
            json.raw("}")
        }
        var textDeltas = 0
        for (index, block) in reply.blocks.enumerated() {
            append("content_block_start") { json in
                json.raw("{\"type\":\"content_block_start\",\"index\":")
                json.int(index)
                json.raw(",\"content_block\":")
                AnthropicMessageJSON.write(block, complete: false, to: &json)
                json.raw("}")
            }
            if index == 0 { events.append(ByteBuffer(string: "event: ping\ndata: {\"type\": \"ping\"}\n\n")) }
            switch block {
            case .thinking(let text, let signature):
                for piece in AssistantReply.wordPieces(text) {
                    delta(index) { json in
                        json.raw("{\"type\":\"thinking_delta\",\"thinking\":")
                        json.string(piece)
                        json.raw("}")
                    }
                }
                delta(index) { json in
                    json.raw("{\"type\":\"signature_delta\",\"signature\":")
                    json.string(signature)
                    json.raw("}")
                }
            case .text(let text):
                for piece in AssistantReply.wordPieces(text) {
                    delta(index) { json in
                        json.raw("{\"type\":\"text_delta\",\"text\":")
                        json.string(piece)
                        json.raw("}")
                    }
                    textDeltas += 1
                    if failingMidstream, textDeltas == 2 {
                        failure()
                        return events
                    }
                }
            case .toolUse(_, _, _, let pieces):
                for piece in [""] + pieces {
                    delta(index) { json in
                        json.raw("{\"type\":\"input_json_delta\",\"partial_json\":")
                        json.string(piece)
                        json.raw("}")
                    }
                }
            }
            append("content_block_stop") { json in
                json.raw("{\"type\":\"content_block_stop\",\"index\":")
                json.int(index)
                json.raw("}")
            }
        }
        if failingMidstream {
            failure()
            return events
        }
        append("message_delta") { json in
            json.raw("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":")
            json.string(reply.stopReason.rawValue)
            json.raw(",\"stop_sequence\":")
            json.stringOrNull(reply.stopSequence)
            json.raw("},\"usage\":{\"output_tokens\":")
            json.int(reply.outputTokens)
            json.raw("}}")
        }
        append("message_stop") { $0.raw("{\"type\":\"message_stop\"}") }
        return events
    }
}
