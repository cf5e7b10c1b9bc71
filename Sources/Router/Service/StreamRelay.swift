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

/// Relays a started upstream stream to the client as OpenAI SSE, chunk by chunk with no buffering: the
/// gateway's own id, `created` and the alias as `model`; usage captured from the final chunk and passed on
/// only if the client asked for it; `data: [DONE]` at the end, or an SSE error event if the upstream fails.
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
            var bytes: [UInt8] = []
            bytes.reserveCapacity(512)
            var iterator = started.chunks.makeAsyncIterator()
            var usageChunk: JSONObject?
            var extra = relay.firstChunkFields
            func send(_ chunk: JSONObject) async throws {
                var chunk = chunk
                if !extra.isEmpty {
                    for (name, value) in extra { chunk[name] = value }
                    extra = [:]
                }
                chunk["id"] = id
                chunk["created"] = created
                chunk["model"] = .string(relay.alias)
                bytes.removeAll(keepingCapacity: true)
                SSEEncoder.data(JSONValue.object(chunk).serialized(), into: &bytes)
                relay.audit.markFirstByte()
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            while true {
                let next: JSONObject?
                do {
                    next = try await iterator.next()
                } catch {
                    // The upstream failed after the stream began: end with an error event, never [DONE].
                    let failure = StreamFailure(error, drain: relay.drain, audit: relay.audit)
                    let envelope: JSONValue = [
                        "error": [
                            "message": .string(failure.message), "type": "server_error", "param": nil,
                            "code": .string(failure.code),
                        ]
                    ]
                    bytes.removeAll(keepingCapacity: true)
                    SSEEncoder.data(envelope.serialized(), into: &bytes)
                    try await writer.write(ByteBuffer(bytes: bytes))
                    try await writer.finish(nil)
                    return
                }
                guard var chunk = next else { break }
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
                try await send(chunk)
            }
            if relay.includeUsage, let usageChunk { try await send(usageChunk) }
            try await writer.write(ByteBuffer(bytes: SSEEncoder.done))
            try await writer.finish(nil)
        }
    }
}
