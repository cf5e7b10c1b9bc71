import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension RouterService {
    /// `POST /v1/responses`: the request is translated to a chat request (`ResponsesRequest`), dispatched to
    /// the alias (a `chat` route) exactly like `/v1/chat/completions`, and the result translated back: a
    /// `response` object, or Responses stream events through `ResponsesRelay`. Nothing is stored.
    func responses(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await limits.readJSONObject(request)
        let translated = try ResponsesRequest(body)
        let model = translated.model
        context.audit.update {
            $0.alias = model
            $0.stream = translated.stream
        }
        let audit = context.audit
        if translated.stream {
            let started = try await dispatch(
                model: model, kind: .chat, endpoint: .chat, body: translated.chat, context: context
            ) { try await $0.stream($1) }
            return ResponsesRelay(request: translated, audit: audit, drain: drain).response(started)
        }
        let createdAt = Int(Date().timeIntervalSince1970)
        let result = try await dispatch(
            model: model, kind: .chat, endpoint: .chat, body: translated.chat, context: context
        ) { try await $0.send($1) }
        if let usage = result.usage {
            audit.update { $0.record(usage) }
        }
        let out = ResponsesResponse.from(
            completion: result.body, request: translated, id: ResponsesResponse.newID(), createdAt: createdAt,
            completedAt: Int(Date().timeIntervalSince1970))
        audit.markFirstByte()
        return Self.json(.object(out))
    }
}
