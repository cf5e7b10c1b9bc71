import GatewayCore
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Relays a started upstream stream to the client as OpenAI SSE as the chunks arrive (those that arrived together
/// in one write, none held back for more): the gateway's own id, `created` and the alias as `model`; usage captured
/// from the final chunk and passed on only if the client asked for it; `data: [DONE]` at the end, or an SSE error
/// event if the upstream fails. Chunks that came as text (`StreamChunk.text`) keep every other member as written.
struct StreamRelay: Sendable {
    let alias: String
    let endpoint: ProviderEndpoint
    let includeUsage: Bool
    let audit: AuditRecorder
    let drain: StreamDrain
    /// Fields added to the first chunk sent (RAG's `rag_context`).
    var firstChunkFields: JSONObject = [:]

    func response(_ started: StartedStream) -> Response {
        let id: JSONValue = .string(endpoint == .chat ? RandomID.chatCompletionID() : RandomID.completionID())
        let created: JSONValue = .number(JSONNumber(Int(Date().timeIntervalSince1970)))
        let relay = self
        return SSEStreaming.response(started, audit: audit, drain: drain) { writer in
            // The chunks that arrived together are written together: one write per batch, and the usage chunk
            // and `[DONE]` with the last one.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(512)
            var usageChunk: JSONObject?
            var extra = relay.firstChunkFields
            // The members the relay sets: the first chunk's extra fields, the gateway's id, `created` and the
            // alias; `usage` nulled where it moved to the usage chunk, and left out if the client did not ask for it.
            // An object chunk gets them set, a text chunk spliced in; every other member stays as it came.
            func append(_ chunk: StreamChunk, hadUsage: Bool) {
                var replacements: [(key: String, value: JSONValue)] = extra.map { ($0.key, $0.value) }
                extra = [:]
                replacements += [("id", id), ("created", created), ("model", .string(relay.alias))]
                if hadUsage && relay.includeUsage { replacements.append(("usage", .null)) }
                let removing = relay.includeUsage ? [] : ["usage"]
                switch chunk {
                case .text(let text):
                    SSEEncoder.data(text.serialized(replacing: replacements, removing: removing), into: &bytes)
                case .object(var object):
                    for (key, value) in replacements { object[key] = value }
                    for key in removing { object.removeValue(forKey: key) }
                    SSEEncoder.data(JSONValue.object(object).serialized(), into: &bytes)
                }
            }
            func flush() async throws {
                guard !bytes.isEmpty else { return }
                relay.audit.markFirstByte()
                try await writer.write(ByteBuffer(bytes: bytes))
                bytes.removeAll(keepingCapacity: true)
            }
            while true {
                let batch: [StreamChunk]
                do {
                    batch = try await started.chunks.nextBatch()
                } catch {
                    // The upstream failed after the stream began: end with an error event, never [DONE].
                    let failure = StreamFailure(error, drain: relay.drain, audit: relay.audit)
                    let envelope: JSONValue = [
                        "error": [
                            "message": .string(failure.message), "type": "server_error", "param": nil,
                            "code": .string(failure.code),
                        ]
                    ]
                    SSEEncoder.data(envelope.serialized(), into: &bytes)
                    try await writer.write(ByteBuffer(bytes: bytes))
                    try await writer.finish(nil)
                    return
                }
                if batch.isEmpty { break }
                for chunk in batch {
                    let usage: Usage?
                    let isUsageOnly: Bool
                    switch chunk {
                    case .object(let object):
                        usage = Usage(object["usage"])
                        isUsageOnly = object["choices"]?.arrayValue?.isEmpty ?? false
                    case .text(let text):
                        usage = Usage(text["usage"])
                        isUsageOnly = text.isEmptyArray("choices")
                    }
                    if let usage {
                        relay.audit.update { $0.record(usage) }
                        // One usage chunk, last, whatever the upstream did (some attach usage to content
                        // chunks, some repeat it).
                        var last = chunk.object
                        last["choices"] = []
                        usageChunk = last
                    }
                    if !isUsageOnly { append(chunk, hadUsage: usage != nil) }
                }
                if started.chunks.isFinished { break }
                try await flush()
            }
            if relay.includeUsage, let usageChunk { append(.object(usageChunk), hadUsage: false) }
            bytes.append(contentsOf: SSEEncoder.done)
            try await flush()
            try await writer.finish(nil)
        }
    }
}
