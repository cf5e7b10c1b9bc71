import GatewaySchema

/// The JSON form of an `Identity`, shared by every carrier of a caller's identity: the edge's signed identity header
/// (self-hosted mode) and the Lambda authorizer's context (AWS serverless mode).
extension Identity {
    /// `tenant`, `key_id`, `key_label`, `admin` and, when the key is restricted, `models`.
    public var jsonFields: JSONObject {
        var object: JSONObject = [
            "tenant": .string(tenant), "key_id": .string(keyID), "key_label": .string(keyLabel),
            "admin": .bool(admin),
        ]
        if let models { object["models"] = .array(models.map(JSONValue.string)) }
        return object
    }

    /// Reads the fields `jsonFields` writes (other fields are ignored); nil without a tenant or a key id.
    public init?(jsonFields json: JSONValue) {
        guard let tenant = json["tenant"]?.stringValue, let keyID = json["key_id"]?.stringValue else { return nil }
        self.init(
            tenant: tenant, keyID: keyID, keyLabel: json["key_label"]?.stringValue ?? "",
            models: json["models"]?.arrayValue.map { $0.compactMap(\.stringValue) },
            admin: json["admin"]?.boolValue ?? false)
    }
}
