import GatewayCore
import GatewayEdge
import GatewayLambda

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The edge in AWS mode: API Gateway's TOKEN authorizer (`switchboard-edge` as a Lambda function). Allow with the
/// caller's identity in the context for a usable key, Deny for an unknown, disabled or expired one (API Gateway
/// answers 403), the error `Unauthorized` without a `Bearer` token (401). Keys are looked up by hash through the
/// same short-lived cache as the HTTP edge; the key itself is never logged.
public struct AuthorizerLambdaHandler: LambdaHandler {
    let keys: KeyCache

    public init(keys: KeyCache) { self.keys = keys }

    public func handle(_ invocation: LambdaInvocation, responder: LambdaResponder) async throws {
        let event = try TokenAuthorizerEvent(bytes: invocation.body)
        let decision = try await TokenAuthorizer.authorize(event, now: Date()) { hash in
            try await keys.lookup(hash: hash)
        }
        try await responder.respond(decision.encoded(), contentType: "application/json")
    }
}
