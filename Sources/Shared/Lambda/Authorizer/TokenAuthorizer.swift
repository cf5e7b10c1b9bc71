import GatewayCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The decision of the TOKEN authorizer (the edge's key check in AWS serverless mode), free of I/O but for the key
/// lookup it is given.
///
/// - no `Bearer <token>` → throws `LambdaFunctionError.unauthorized` (the function fails with "Unauthorized",
///   API Gateway answers 401);
/// - unknown, disabled or expired key → a Deny policy (403);
/// - a usable key → an Allow policy on the whole stage, with `tenant`, `keyId`, `label` and `identity`
///   (`AuthorizedKey.encoded`) in the context.
public enum TokenAuthorizer {
    /// The longest token looked up; longer ones cannot be keys.
    public static let maxTokenLength = 512

    public static func authorize(
        _ event: TokenAuthorizerEvent, now: Date, lookup: (_ hash: String) async throws -> APIKeyRecord?
    ) async throws -> AuthorizerResponse {
        guard let token = bearerToken(event.authorizationToken) else { throw LambdaFunctionError.unauthorized }
        let hash = APIKey.hash(token)
        let resource = AuthorizerResponse.wildcardResource(methodARN: event.methodARN)
        guard let record = try await lookup(hash), record.hash == hash, record.rejection(at: now) == nil else {
            return AuthorizerResponse(principalID: APIKey.keyID(forHash: hash), effect: .deny, resource: resource)
        }
        return AuthorizerResponse(
            principalID: record.keyID, effect: .allow, resource: resource,
            context: [
                "tenant": record.tenant, "keyId": record.keyID, "label": record.label,
                AuthorizedKey.contextKey: AuthorizedKey(record).encoded,
            ])
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, one space or more), nil for anything else.
    public static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1]
        guard token.utf8.count <= maxTokenLength,
            token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        return String(token)
    }
}
