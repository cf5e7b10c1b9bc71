import Crypto
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the edge vouches for when it forwards a request to an internal service (self-hosted mode): the caller's
/// identity, the request id, and the method and path it was for, with the time it was signed.
public struct IdentityClaims: Sendable, Equatable {
    public var identity: Identity
    public var requestID: String
    public var method: String
    public var path: String
    /// Unix seconds.
    public var issuedAt: Int

    public init(identity: Identity, requestID: String, method: String, path: String, issuedAt: Int) {
        self.identity = identity
        self.requestID = requestID
        self.method = method
        self.path = path
        self.issuedAt = issuedAt
    }
}

/// Signs and verifies the identity headers between the edge and the internal services with a shared secret
/// (HMAC-SHA256), so that a client cannot forge a tenant or key: an internal service accepts a request only with
/// a valid signature over these claims, made within `maxSkewSeconds`, for the same method and path.
///
/// Wire form: `x-switchboard-identity: <base64url(JSON claims)>` and
/// `x-switchboard-signature: v1=<base64url(HMAC-SHA256(secret, "v1." + identity header))>`.
public struct IdentitySigner: Sendable {
    public static let identityHeader = "x-switchboard-identity"
    public static let signatureHeader = "x-switchboard-signature"
    /// The shortest secret accepted, in bytes.
    public static let minimumSecretLength = 32

    /// The secret's bytes (`SymmetricKey` is not `Sendable`; one is made per use, which costs a copy of 32+ bytes).
    let secret: [UInt8]
    /// Secrets still accepted (not used to sign) while a rotation rolls out.
    let previous: [[UInt8]]
    public let maxSkewSeconds: Int

    /// nil when a secret is shorter than `minimumSecretLength` bytes. `previous`: the secret being rotated out,
    /// still accepted so that requests crossing old and new replicas during a rollout are not refused.
    public init?(secret: String, previous: String? = nil, maxSkewSeconds: Int = 60) {
        guard secret.utf8.count >= Self.minimumSecretLength else { return nil }
        if let previous, previous.utf8.count < Self.minimumSecretLength { return nil }
        self.secret = Array(secret.utf8)
        self.previous = previous.map { [Array($0.utf8)] } ?? []
        self.maxSkewSeconds = maxSkewSeconds
    }

    /// The two header values for `claims`.
    public func sign(_ claims: IdentityClaims) -> (identity: String, signature: String) {
        var object = claims.identity.jsonFields
        object["request_id"] = .string(claims.requestID)
        object["method"] = .string(claims.method)
        object["path"] = .string(claims.path)
        object["iat"] = .number(JSONNumber(claims.issuedAt))
        let identity = Base64URL.encode(JSONValue.object(object).serialized())
        return (identity, signature(of: identity))
    }

    /// The claims of a request that carries valid headers for this method and path, else a 401 that says only
    /// that the request did not come through the edge (never why in detail).
    public func verify(
        identity: String?, signature: String?, method: String, path: String, now: Date = Date()
    ) throws(GatewayError) -> IdentityClaims {
        guard let identity, let signature, identity.utf8.count <= 8192 else { throw Self.rejected() }
        let signed = Array(("v1." + identity).utf8)
        guard let given = signature.hasPrefix("v1=") ? Base64URL.decode(signature.dropFirst(3)) : nil,
            ([secret] + previous).contains(where: {
                HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: signed, using: SymmetricKey(data: $0))
            })
        else { throw Self.rejected() }
        guard let bytes = Base64URL.decode(identity), let json = try? JSONParser.parse(bytes),
            let caller = Identity(jsonFields: json), let requestID = json["request_id"]?.stringValue,
            let issuedAt = json["iat"]?.intValue,
            json["method"]?.stringValue == method, json["path"]?.stringValue == path
        else { throw Self.rejected() }
        guard abs(Int(now.timeIntervalSince1970) - issuedAt) <= maxSkewSeconds else { throw Self.rejected() }
        return IdentityClaims(
            identity: caller, requestID: requestID, method: method, path: path, issuedAt: issuedAt)
    }

    var key: SymmetricKey { SymmetricKey(data: secret) }

    func signature(of identity: String) -> String {
        "v1=" + Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Array(("v1." + identity).utf8), using: key))
    }

    /// The 401 for a request that did not come through the edge.
    public static func rejected() -> GatewayError {
        GatewayError(
            status: 401, type: "invalid_request_error", code: "invalid_internal_identity",
            message: "This service accepts requests only through the Switchboard edge.")
    }
}
