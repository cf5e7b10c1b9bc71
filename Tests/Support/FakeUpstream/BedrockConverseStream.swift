import NIOCore

/// The event-stream frames of a ConverseStream answer, shaped like the real service's: `messageStart`; per
/// block `contentBlockStart` (tool use only), `contentBlockDelta`…, `contentBlockStop`; `messageStop`;
/// `metadata`. Like the real service, events carry a `p` padding field.
enum BedrockConverseStream {
    static let throttledMessage = "Too many tokens, please wait before trying again."

    /// With a `failure`, an exception frame replaces the rest after two text deltas.
    static func frames(_ reply: AssistantReply, latencyMs: Int, failure: ProviderBehavior.Midstream?) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        func event(_ type: String, _ build: (inout JSONText) -> Void) {
            var json = JSONText(capacity: 192)
            json.raw("{")
            build(&json)
            json.raw(",\"p\":\"")
            json.raw(padding(frames.count))
            json.raw("\"}")
            frames.append(EventStreamFrame.event(type, json: json))
        }
        func delta(_ index: Int, _ build: (inout JSONText) -> Void) {
            event("contentBlockDelta") { json in
                json.raw("\"contentBlockIndex\":")
                json.int(index)
                json.raw(",\"delta\":")
                build(&json)
            }
        }
        func stop(_ index: Int) {
            event("contentBlockStop") { json in
                json.raw("\"contentBlockIndex\":")
                json.int(index)
            }
        }

        event("messageStart") { $0.raw("\"role\":\"assistant\"") }
        var textDeltas = 0
        for (index, block) in reply.blocks.enumerated() {
            switch block {
            case .thinking(let text, let signature):
                for piece in AssistantReply.wordPieces(text) {
                    delta(index) { json in
                        json.raw("{\"reasoningContent\":{\"text\":")
                        json.string(piece)
                        json.raw("}}")
                    }
                }
                delta(index) { json in
                    json.raw("{\"reasoningContent\":{\"signature\":")
                    json.string(signature)
                    json.raw("}}")
                }
            case .text(let text):
                for piece in AssistantReply.wordPieces(text) {
                    delta(index) { json in
                        json.raw("{\"text\":")
                        json.string(piece)
                        json.raw("}")
                    }
                    textDeltas += 1
                    if let failure, textDeltas == 2 {
                        frames.append(exception(failure))
                        return frames
                    }
                }
            case .toolUse(let id, let name, _, let pieces):
                event("contentBlockStart") { json in
                    json.raw("\"contentBlockIndex\":")
                    json.int(index)
                    json.raw(",\"start\":{\"toolUse\":{\"toolUseId\":")
                    json.string(id)
                    json.raw(",\"name\":")
                    json.string(name)
                    json.raw("}}")
                }
                for piece in [""] + pieces {
                    delta(index) { json in
                        json.raw("{\"toolUse\":{\"input\":")
                        json.string(piece)
                        json.raw("}}")
                    }
                }
            }
            stop(index)
        }
        if let failure {
            frames.append(exception(failure))
            return frames
        }
        event("messageStop") { json in
            json.raw("\"stopReason\":")
            json.string(reply.stopReason.rawValue)
        }
        var metadata = JSONText(capacity: 160)
        metadata.raw("{\"usage\":")
        BedrockConverseJSON.usage(reply, to: &metadata)
        metadata.raw(",\"metrics\":{\"latencyMs\":")
        metadata.int(latencyMs)
        metadata.raw("}}")
        frames.append(EventStreamFrame.event("metadata", json: metadata))
        return frames
    }

    private static func exception(_ failure: ProviderBehavior.Midstream) -> ByteBuffer {
        var json = JSONText(capacity: 160)
        switch failure {
        case .throttled:
            json.raw("{\"message\":")
            json.string(throttledMessage)
            json.raw("}")
            return EventStreamFrame.exception("throttlingException", json: json)
        case .modelError:
            json.raw(
                "{\"message\":\"The model returned an error.\",\"originalStatusCode\":500,"
                    + "\"originalMessage\":\"Internal model error\"}")
            return EventStreamFrame.exception("modelStreamErrorException", json: json)
        }
    }

    /// Deterministic padding of 1...26 characters, varying with the frame's position.
    private static func padding(_ position: Int) -> String {
        String("abcdefghijklmnopqrstuvwxyz".prefix(position * 7 % 26 + 1))
    }
}
