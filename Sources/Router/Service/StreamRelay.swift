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
            func append(_ chunk: JSONObject) {
                var chunk = chunk
                if !extra.isEmpty {
                    for (name, value) in extra { chunk[name] = value }
                    extra = [:]
                }
                chunk["id"] = id
                chunk["created"] = created
                chunk["model"] = .string(relay.alias)
                SSEEncoder.data(JSONValue.object(chunk).serialized(), into: &bytes)
            }
            // A chunk as the upstream wrote it, with the members the relay sets replaced (`usage` null or left out).
            func append(_ text: JSONObjectText, hadUsage: Bool) {
                var replacements: [(key: String, value: JSONValue)] = [
                    ("id", id), ("created", created), ("model", .string(relay.alias)),
                ]
                if hadUsage && relay.includeUsage { replacements.append(("usage", .null)) }
                if !extra.isEmpty {
                    replacements += extra.map { ($0.key, $0.value) }
                    extra = [:]
                }
                let removing = relay.includeUsage ? [] : ["usage"]
                SSEEncoder.data(text.serialized(replacing: replacements, removing: removing), into: &bytes)
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
                for streamed in batch {
                    guard case .object(var chunk) = streamed else {
                        guard case .text(let text) = streamed else { continue }
                        let usage = text.contains("usage") ? Usage(text["usage"]) : nil
                        let isUsageOnly = text.isEmptyArray("choices")
                        if let usage {
                            relay.audit.update { $0.record(usage) }
                            var last = text.object
                            last["choices"] = []
                            usageChunk = last
                        }
                        if !isUsageOnly { append(text, hadUsage: usage != nil) }
                        continue
                    }
                    let usage = Usage(chunk["usage"])
                    let isUsageOnly = chunk["choices"]?.arrayValue?.isEmpty ?? false
                    if let usage {
                        relay.audit.update { $0.record(usage) }
                        // One usage chunk, last, whatever the upstream did (some attach usage to content
                        // chunks, some repeat it).
                        var last = chunk
                        last["choices"] = []
                        usageChunk = last
                        if isUsageOnly { continue }
                        chunk["usage"] = .null
                    } else if isUsageOnly {
                        continue
                    }
                    if !relay.includeUsage { chunk.removeValue(forKey: "usage") }
                    append(chunk)
                }
                if started.chunks.isFinished { break }
                try await flush()
            }
            if relay.includeUsage, let usageChunk { append(usageChunk) }
            bytes.append(contentsOf: SSEEncoder.done)
            try await flush()
            try await writer.finish(nil)
        }
    }
}
