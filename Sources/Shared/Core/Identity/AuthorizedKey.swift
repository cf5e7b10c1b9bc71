import GatewaySchema

/// What an API Gateway authorizer established about the caller (AWS mode): the identity and the key's own limits,
/// so that each request function can enforce quotas without looking the key up again. It travels in the
/// authorizer's context as one string (`encoded`: base64url JSON), since a context holds only flat values.
public struct AuthorizedKey: Sendable, Equatable {
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

    /// The name of the authorizer context entry that carries `encoded`.
    public static let contextKey = "switchboardKey"

    /// base64url of the JSON `{tenant, key_id, key_label, admin, models?, rpm?, rpd?}`.
    public var encoded: String {
        var object = identity.jsonObject
        if let rpm { object["rpm"] = .number(JSONNumber(rpm)) }
        if let rpd { object["rpd"] = .number(JSONNumber(rpd)) }
        return Base64URL.encode(JSONValue.object(object).serialized())
    }

    /// nil for anything `encoded` did not produce.
    public init?(encoded: String) {
        guard encoded.utf8.count <= 8192, let bytes = Base64URL.decode(encoded),
            let json = try? JSONParser.parse(bytes), let identity = Identity(json: json)
        else { return nil }
        self.init(identity: identity, rpm: json["rpm"]?.intValue, rpd: json["rpd"]?.intValue)
    }
}

extension Identity {
    /// `{tenant, key_id, key_label, admin, models?}`: how an identity travels between processes (the edge's
    /// signed header, an API Gateway authorizer's context).
    public var jsonObject: JSONObject {
        var object: JSONObject = [
            "tenant": .string(tenant), "key_id": .string(keyID), "key_label": .string(keyLabel),
            "admin": .bool(admin),
        ]
        if let models { object["models"] = .array(models.map(JSONValue.string)) }
        return object
    }

    /// The identity in `json` (see `jsonObject`); nil without a tenant and key id.
    public init?(json: JSONValue) {
        guard let tenant = json["tenant"]?.stringValue, let keyID = json["key_id"]?.stringValue else { return nil }
        self.init(
            tenant: tenant, keyID: keyID, keyLabel: json["key_label"]?.stringValue ?? "",
            models: json["models"]?.arrayValue.map { $0.compactMap(\.stringValue) },
            admin: json["admin"]?.boolValue ?? false)
    }
}
