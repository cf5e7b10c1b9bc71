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
    /// `POST /v1/responses`: the request is translated to a chat request (`ResponsesRequest`), continued from
    /// a stored response when it names `previous_response_id`, dispatched to the alias (a `chat` route)
    /// exactly like `/v1/chat/completions`, and the result translated back: a `response` object, or Responses
    /// stream events through `ResponsesRelay`. With `store` (the default) the response and its conversation
    /// are saved for the caller's tenant before the client sees the end of it.
    func responses(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await limits.readJSONObject(request)
        var translated = try ResponsesRequest(body)
        let model = translated.model
        context.audit.update {
            $0.alias = model
            $0.stream = translated.stream
        }
        let tenant = context.identity?.tenant ?? ""
        var stored: [JSONValue] = []
        if let previous = translated.previousResponseID {
            stored = try await storedConversation(previous, tenant: tenant)
            translated.prepend(history: stored)
        }
        let history = stored
        let audit = context.audit
        let store = responseStore
        let request = translated
        let save: @Sendable (JSONObject) async -> Void = { response in
            guard request.store, let id = response["id"]?.stringValue else { return }
            let conversation = ResponsesHistory.conversation(history: history, request: request, response: response)
            do {
                try await store.save(
                    StoredResponse(
                        id: id, tenant: tenant, createdAt: Date(), response: JSONValue.object(response).jsonString,
                        conversation: JSONValue.array(conversation).jsonString))
            } catch {
                audit.update { $0.errorCode = "response_not_stored" }
            }
        }
        if translated.stream {
            let started = try await dispatch(
                model: model, kind: .chat, endpoint: .chat, body: translated.chat, context: context
            ) { try await $0.stream($1) }
            return ResponsesRelay(request: translated, audit: audit, drain: drain, completed: save).response(started)
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
        await save(out)
        audit.markFirstByte()
        return Self.json(.object(out))
    }

    /// `GET /v1/responses/{id}`: a stored response of the caller's tenant.
    func retrieveResponse(_ id: String, context: GatewayRequestContext) async throws -> Response {
        guard let stored = try await responseStore.find(id: id, tenant: context.identity?.tenant ?? "") else {
            throw Self.responseNotFound(id, param: nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: stored.response)))
    }

    /// `DELETE /v1/responses/{id}`.
    func deleteResponse(_ id: String, context: GatewayRequestContext) async throws -> Response {
        guard try await responseStore.delete(id: id, tenant: context.identity?.tenant ?? "") else {
            throw Self.responseNotFound(id, param: nil)
        }
        return Self.json(["id": .string(id), "object": "response", "deleted": true])
    }

    func storedConversation(_ id: String, tenant: String) async throws -> [JSONValue] {
        guard let stored = try await responseStore.find(id: id, tenant: tenant),
            case .array(let messages)? = try? JSONParser.parse(stored.conversation)
        else {
            throw Self.responseNotFound(id, param: "previous_response_id")
        }
        return messages
    }

    /// OpenAI answers an unknown `previous_response_id` with a 400, an unknown response id in the path with a 404.
    static func responseNotFound(_ id: String, param: String?) -> GatewayError {
        if let param {
            return GatewayError(
                status: 400, type: "invalid_request_error", code: "previous_response_not_found",
                message: "Previous response with id '\(id)' not found.", param: param)
        }
        return GatewayError(
            status: 404, type: "invalid_request_error", code: "not_found",
            message: "No response with id '\(id)' was found.")
    }
}
