import GatewayCore
import GatewayEdge
import GatewayProviders
import GatewaySchema
import NIOHTTP1

/// A buffered chat or completions request that the event-loop fast path (`FastChatHandler`) can carry through
/// `complete`'s steps without suspending: its body read as `complete` reads it, its attempts planned, and the first
/// one prepared for an OpenAI-family target.
struct ImmediateChat: Sendable {
    let alias: String
    let endpoint: ProviderEndpoint
    let plan: DispatchPlan
    let candidate: RouteTable.Candidate
    let provider: OpenAIProvider
    let call: ProviderCall
    let url: String
    let headers: HTTPHeaders
    let body: [UInt8]
}

extension RouterService {
    /// The fast path's reading of a whole request body for `endpoint` (`.chat` or `.completions`) from `identity`:
    /// nil, with no side effect, whenever `complete` would answer anything but a buffered call to a closed-circuit
    /// OpenAI-family target that needs no token source and no endpoint translation (an error, a stream, another
    /// provider…); the regular path then serves the request.
    func immediateChat(
        _ endpoint: ProviderEndpoint, body bytes: [UInt8], identity: Identity, requestID: String
    ) -> ImmediateChat? {
        guard
            let skimmed = try? JSONObjectText.skim(
                bytes, maxDepth: limits.maxDepth, elementsOf: endpoint == .chat ? "messages" : nil)
        else { return nil }
        let document = RequestDocument(text: skimmed)
        guard let model = document["model"]?.stringValue, !model.isEmpty,
            (try? Self.validate(document, endpoint: endpoint)) != nil,
            document["stream"]?.boolValue != true,
            let plan = try? plan(model: model, kind: .chat, identity: identity)
        else { return nil }
        return dispatcher.prepareFirstAttempt(plan) { candidate, provider, target in
            guard let provider = provider as? OpenAIProvider else { return nil }
            let call = ProviderCall(
                target: target.target, credential: target.credential, endpoint: endpoint, document: document,
                requestID: requestID)
            guard let request = provider.immediateRequest(call) else { return nil }
            return ImmediateChat(
                alias: model, endpoint: endpoint, plan: plan, candidate: candidate, provider: provider, call: call,
                url: request.url, headers: request.headers, body: request.body)
        }
    }
}
