import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import HTTPTypes
import Hummingbird
import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `/v1/chat/completions`, `/v1/completions`, `/v1/responses`, `/v1/embeddings`, `/v1/models` and the media
/// endpoints (`MediaEndpoints`): alias routing, dispatch with fallbacks, the
/// streaming relay and usage capture.
public struct RouterService: Sendable {
    let routes: LiveRoutes
    let dispatcher: Dispatcher
    let limits: BodyLimits
    let drain: StreamDrain
    let responseStore: any ResponseStore

    public init(
        routes: LiveRoutes, dispatcher: Dispatcher, limits: BodyLimits, drain: StreamDrain,
        responseStore: any ResponseStore
    ) {
        self.routes = routes
        self.dispatcher = dispatcher
        self.limits = limits
        self.drain = drain
        self.responseStore = responseStore
    }

    /// Register the router's endpoints.
    /// Every endpoint this service answers in embedded mode: the model endpoints and the media endpoints.
    public func addRoutes(to router: Router<GatewayRequestContext>) {
        addModelRoutes(to: router)
        addMediaRoutes(to: router)
    }

    /// Chat, completions, responses, embeddings and models: `switchboard-router` in self-hosted mode.
    public func addModelRoutes(to router: Router<GatewayRequestContext>) {
        router.post("/v1/chat/completions") { request, context in
            try await self.complete(request, context: context, endpoint: .chat)
        }
        router.post("/v1/completions") { request, context in
            try await self.complete(request, context: context, endpoint: .completions)
        }
        router.post("/v1/responses") { request, context in
            try await self.responses(request, context: context)
        }
        router.get("/v1/responses/{id}") { _, context in
            try await self.retrieveResponse(context.parameters.require("id"), context: context)
        }
        router.delete("/v1/responses/{id}") { _, context in
            try await self.deleteResponse(context.parameters.require("id"), context: context)
        }
        router.post("/v1/embeddings") { request, context in
            try await self.embeddings(request, context: context)
        }
        router.get("/v1/models") { _, context in
            self.listModels(context: context)
        }
        router.get("/v1/models/{model}") { _, context in
            try self.retrieveModel(context.parameters.require("model"), context: context)
        }
    }

    func listModels(context: GatewayRequestContext) -> Response {
        let table = routes.current
        let data: [JSONValue] = table.aliases.filter { context.identity?.allows(model: $0) ?? false }.map {
            Self.modelObject($0)
        }
        return Self.json(["object": "list", "data": .array(data)])
    }

    func retrieveModel(_ model: String, context: GatewayRequestContext) throws -> Response {
        guard routes.current.route(for: model) != nil, context.identity?.allows(model: model) ?? false else {
            throw GatewayError.modelNotFound(model)
        }
        return Self.json(Self.modelObject(model))
    }

    static func modelObject(_ alias: String) -> JSONValue {
        ["id": .string(alias), "object": "model", "created": 0, "owned_by": "switchboard"]
    }

    func complete(
        _ request: Request, context: GatewayRequestContext, endpoint: ProviderEndpoint
    ) async throws
        -> Response
    {
        let body = try await limits.readJSONDocument(request, elementsOf: endpoint == .chat ? "messages" : nil)
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter.", param: "model")
        }
        try Self.validate(body, endpoint: endpoint)
        let stream = body["stream"]?.boolValue ?? false
        context.audit.update {
            $0.alias = model
            $0.stream = stream
        }
        let audit = context.audit
        if stream {
            let includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
            let started = try await dispatch(
                model: model, kind: .chat, endpoint: endpoint, body: body, context: context
            ) {
                try await $0.stream($1)
            }
            return StreamRelay(
                alias: model, endpoint: endpoint, includeUsage: includeUsage, audit: audit, drain: drain
            ).response(started)
        }
        let result = try await dispatch(model: model, kind: .chat, endpoint: endpoint, body: body, context: context) {
            try await $0.send($1)
        }
        return Self.json(Self.answer(result, endpoint: endpoint, alias: model, audit: audit))
    }

    /// A buffered chat or completions answer as the client gets it (the gateway's id, now as `created`, the alias
    /// as `model`), its usage recorded in the audit event.
    static func answer(
        _ result: ProviderResult, endpoint: ProviderEndpoint, alias: String, audit: AuditRecorder
    )
        -> [UInt8]
    {
        let out = result.serialized(replacing: [
            ("id", .string(endpoint == .chat ? RandomID.chatCompletionID() : RandomID.completionID())),
            ("created", .number(JSONNumber(Int(Date().timeIntervalSince1970)))),
            ("model", .string(alias)),
        ])
        if let usage = result.usage {
            audit.update { $0.record(usage) }
        }
        audit.markFirstByte()
        return out
    }

    func embeddings(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let body = try await limits.readJSONObject(request)
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter.", param: "model")
        }
        guard let input = body["input"], !input.isNull else {
            throw GatewayError.invalidRequest("'input' is required.", param: "input")
        }
        if case .string(let text) = input, text.isEmpty {
            throw GatewayError.invalidRequest("'input' cannot be an empty string.", param: "input")
        }
        if case .array(let items) = input, items.isEmpty {
            throw GatewayError.invalidRequest("'input' cannot be an empty array.", param: "input")
        }
        context.audit.update { $0.alias = model }
        let result = try await dispatch(
            model: model, kind: .embedding, endpoint: .embeddings, body: body, context: context
        ) { try await $0.embed($1) }
        let out = result.serialized(replacing: [("model", .string(model))])
        if let usage = result.usage { context.audit.update { $0.promptTokens = usage.promptTokens } }
        context.audit.markFirstByte()
        return Self.json(out)
    }

    /// Resolves the alias for this caller (allow-list, route kind) and runs `operation` on its candidate
    /// targets through the dispatcher; when every attempt failed, the last failure becomes the client's error.
    func dispatch<T: Sendable>(
        model: String, kind: Route.Kind, endpoint: ProviderEndpoint, body: JSONObject, context: GatewayRequestContext,
        upload: MultipartForm? = nil, _ operation: (any Provider, ProviderCall) async throws -> T
    ) async throws -> T {
        try await dispatch(
            model: model, kind: kind, endpoint: endpoint, body: RequestDocument(body), context: context, upload: upload,
            operation)
    }

    func dispatch<T: Sendable>(
        model: String, kind: Route.Kind, endpoint: ProviderEndpoint, body: RequestDocument,
        context: GatewayRequestContext, upload: MultipartForm? = nil,
        _ operation: (any Provider, ProviderCall) async throws -> T
    ) async throws -> T {
        try await call(
            model: model, kind: kind, endpoint: endpoint, body: body, identity: context.identity, audit: context.audit,
            requestID: context.requestID, upload: upload, plan: context.handoff?.dispatch as? DispatchPlan, operation
        ).value
    }

    /// A model call for other services (RAG): the alias is resolved for `identity` (allow-list, route kind)
    /// and `operation` runs on its targets with retries, fallbacks and circuit breaking, each attempt recorded
    /// in `audit`. Returns the value and the target that produced it; failures are `GatewayError`s.
    public func call<T: Sendable>(
        model: String, kind: Route.Kind, endpoint: ProviderEndpoint, body: JSONObject, identity: Identity?,
        audit: AuditRecorder, requestID: String, upload: MultipartForm? = nil,
        _ operation: (any Provider, ProviderCall) async throws -> T
    ) async throws -> (value: T, target: RouteTarget) {
        try await call(
            model: model, kind: kind, endpoint: endpoint, body: RequestDocument(body), identity: identity, audit: audit,
            requestID: requestID, upload: upload, operation)
    }

    /// `call` with the body as the client sent it; `plan`: the attempts the fast path planned (and began).
    public func call<T: Sendable>(
        model: String, kind: Route.Kind, endpoint: ProviderEndpoint, body: RequestDocument, identity: Identity?,
        audit: AuditRecorder, requestID: String, upload: MultipartForm? = nil, plan: DispatchPlan? = nil,
        _ operation: (any Provider, ProviderCall) async throws -> T
    ) async throws -> (value: T, target: RouteTarget) {
        do {
            let plan = try plan ?? self.plan(model: model, kind: kind, identity: identity)
            let (value, candidate) = try await dispatcher.run(plan, endpoint: endpoint, audit: audit) {
                provider, resolved in
                try await operation(
                    provider,
                    ProviderCall(
                        target: resolved.target, credential: resolved.credential, endpoint: endpoint,
                        document: body, requestID: requestID, upload: upload))
            }
            return (value, candidate.target)
        } catch let failure as DispatchFailure {
            throw failure.gatewayError
        }
    }

    /// The attempts for `model` as `identity` may call it (allow-list, route kind), weighted targets drawn.
    func plan(model: String, kind: Route.Kind, identity: Identity?) throws -> DispatchPlan {
        guard let identity else { throw GatewayError.missingAPIKey() }
        guard identity.allows(model: model) else { throw GatewayError.modelNotAllowed(model) }
        let table = routes.current
        guard let route = table.route(for: model), route.kind == kind else { throw GatewayError.modelNotFound(model) }
        var generator = SystemRandomNumberGenerator()
        return try dispatcher.plan(table.candidates(for: route.alias, using: &generator))
    }

    /// Relays a started chat stream as OpenAI SSE (the gateway's id, the alias as `model`, one usage chunk
    /// last when `includeUsage`), adding `firstChunkFields` to the first chunk.
    public func relayChat(
        _ started: StartedStream, alias: String, includeUsage: Bool, audit: AuditRecorder,
        firstChunkFields: JSONObject = [:]
    ) -> Response {
        StreamRelay(
            alias: alias, endpoint: .chat, includeUsage: includeUsage, audit: audit, drain: drain,
            firstChunkFields: firstChunkFields
        ).response(started)
    }

    /// Checks the fields the gateway itself relies on; everything else is the upstream's to judge.
    static func validate(_ body: RequestDocument, endpoint: ProviderEndpoint) throws {
        if endpoint == .chat {
            try validateMessages(body)
        } else if !body.contains("prompt") {
            throw GatewayError.invalidRequest("'prompt' is required.", param: "prompt")
        }
        if let stream = body["stream"], !stream.isNull, stream.boolValue == nil {
            throw GatewayError.invalidRequest("'stream' must be a boolean.", param: "stream")
        }
        if let n = body["n"], !n.isNull {
            guard let value = n.intValue, (1...128).contains(value) else {
                throw GatewayError.invalidRequest("'n' must be an integer between 1 and 128.", param: "n")
            }
        }
    }

    /// `messages` is a non-empty array of objects with a string `role`; read from the client's text without
    /// parsing the messages when it was skimmed with them (`elementsOf: "messages"`).
    static func validateMessages(_ body: RequestDocument) throws {
        let roles: [String?]
        if let elements = body.text?.elements(of: "messages") {
            roles = elements.map { element in
                switch element {
                case .object(let message): message["role"]?.stringValue
                case .other(let value): value.objectValue == nil ? nil : value["role"]?.stringValue
                }
            }
        } else if let messages = body["messages"]?.arrayValue {
            roles = messages.map { $0.objectValue == nil ? nil : $0["role"]?.stringValue }
        } else {
            throw GatewayError.invalidRequest("'messages' is required and must be an array.", param: "messages")
        }
        guard !roles.isEmpty else {
            throw GatewayError.invalidRequest("'messages' must contain at least one message.", param: "messages")
        }
        if let index = roles.firstIndex(where: { $0 == nil }) {
            throw GatewayError.invalidRequest(
                "messages[\(index)] must be an object with a 'role'.", param: "messages[\(index)]")
        }
    }

    /// A 200 JSON response.
    public static func json(_ value: JSONValue) -> Response { json(value.serialized()) }

    /// A 200 response with this JSON text.
    public static func json(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
