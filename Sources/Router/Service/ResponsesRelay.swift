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

/// Relays a started chat stream to the client as Responses API stream events (`event: <type>` +
/// `data: <json>`), translated chunk by chunk by `ResponsesStream` as the chunks arrive (the events of chunks that
/// arrived together in one write). Usage from the final chunk goes into the audit event; an upstream failure
/// mid-stream ends with `response.failed`.
struct ResponsesRelay: Sendable {
    let request: ResponsesRequest
    let audit: AuditRecorder
    let drain: StreamDrain
    /// Called with the final `response` object (completed or incomplete) before its event is sent.
    let completed: @Sendable (JSONObject) async -> Void

    func response(_ started: StartedStream) -> Response {
        let relay = self
        return SSEStreaming.response(started, audit: audit, drain: drain) { writer in
            var machine = ResponsesStream(
                request: relay.request, id: ResponsesResponse.newID(), createdAt: Int(Date().timeIntervalSince1970))
            var bytes: [UInt8] = []
            bytes.reserveCapacity(1024)
            func send(_ events: [JSONObject]) async throws {
                guard !events.isEmpty else { return }
                bytes.removeAll(keepingCapacity: true)
                for event in events {
                    SSEEncoder.event(
                        event["type"]?.stringValue ?? "", data: JSONValue.object(event).serialized(), into: &bytes)
                }
                relay.audit.markFirstByte()
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await send(machine.start())
            while true {
                let batch: [StreamChunk]
                do {
                    batch = try await started.chunks.nextBatch()
                } catch {
                    let failure = StreamFailure(error, drain: relay.drain, audit: relay.audit)
                    if let usage = machine.usage { relay.audit.update { $0.record(usage) } }
                    try await send(machine.fail(code: "server_error", message: failure.message))
                    try await writer.finish(nil)
                    return
                }
                if batch.isEmpty { break }
                // The events of chunks that arrived together go out in one write.
                var events: [JSONObject] = []
                for chunk in batch.lazy.map(\.object) {
                    events += machine.consume(chunk)
                    if let usage = Usage(chunk["usage"]) { relay.audit.update { $0.record(usage) } }
                }
                try await send(events)
            }
            let final = machine.finish(completedAt: Int(Date().timeIntervalSince1970))
            if let response = final.last?["response"]?.objectValue { await relay.completed(response) }
            try await send(final)
            try await writer.finish(nil)
        }
    }
}
