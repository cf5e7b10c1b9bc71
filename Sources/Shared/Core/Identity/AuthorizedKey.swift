import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the TOKEN authorizer vouches for, carried to the request functions in the authorizer context (under
/// `identity`): the caller's `Identity` and the key's own limits, so a request function needs no key lookup.
///
/// Encoded as base64url JSON: `Identity.jsonFields` (the same fields as the self-hosted signed identity) plus
/// `rpm` and `rpd` when the key has them.
public struct AuthorizedKey: Sendable, Equatable {
    /// The authorizer context key that holds the encoded form.
    public static let contextKey = "identity"

    public var identity: Identity
    public var rpm: Int?
    public var rpd: Int?
    /// When the key expires (Unix seconds): API Gateway caches an Allow for minutes, so the request functions
    /// check expiry themselves.
    public var expiresAt: Int?

    public init(identity: Identity, rpm: Int? = nil, rpd: Int? = nil, expiresAt: Int? = nil) {
        self.identity = identity
        self.rpm = rpm
        self.rpd = rpd
        self.expiresAt = expiresAt
    }

    public init(_ record: APIKeyRecord) {
        self.init(
            identity: Identity(record), rpm: record.rpm, rpd: record.rpd,
            expiresAt: record.expiresAt.map { Int($0.timeIntervalSince1970.rounded(.down)) })
    }

    /// Whether the key has expired at `unixSeconds`.
    public func isExpired(at unixSeconds: Int) -> Bool { expiresAt.map { $0 <= unixSeconds } ?? false }

    public var encoded: String {
        var object = identity.jsonFields
        if let rpm { object["rpm"] = .number(JSONNumber(rpm)) }
        if let rpd { object["rpd"] = .number(JSONNumber(rpd)) }
        if let expiresAt { object["exp"] = .number(JSONNumber(expiresAt)) }
        return Base64URL.encode(JSONValue.object(object).serialized())
    }

    /// nil for anything `encoded` did not produce.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 8192, let bytes = Base64URL.decode(encoded),
            let json = try? JSONParser.parse(bytes), let identity = Identity(jsonFields: json)
        else { return nil }
        self.init(
            identity: identity, rpm: json["rpm"]?.intValue, rpd: json["rpd"]?.intValue, expiresAt: json["exp"]?.intValue
        )
    }
}
