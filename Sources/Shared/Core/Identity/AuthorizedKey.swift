import GatewaySchema

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

    public init(identity: Identity, rpm: Int? = nil, rpd: Int? = nil) {
        self.identity = identity
        self.rpm = rpm
        self.rpd = rpd
    }

    public init(_ record: APIKeyRecord) {
        self.init(identity: Identity(record), rpm: record.rpm, rpd: record.rpd)
    }

    public var encoded: String {
        var object = identity.jsonFields
        if let rpm { object["rpm"] = .number(JSONNumber(rpm)) }
        if let rpd { object["rpd"] = .number(JSONNumber(rpd)) }
        return Base64URL.encode(JSONValue.object(object).serialized())
    }

    /// nil for anything `encoded` did not produce.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 8192, let bytes = Base64URL.decode(encoded),
            let json = try? JSONParser.parse(bytes), let identity = Identity(jsonFields: json)
        else { return nil }
        self.init(identity: identity, rpm: json["rpm"]?.intValue, rpd: json["rpd"]?.intValue)
    }
}
