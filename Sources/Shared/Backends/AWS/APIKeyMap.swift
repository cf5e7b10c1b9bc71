import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON map of gateway keys kept in one Secrets Manager secret: SHA-256 hex of each key →
/// `{"tenant","label","status","createdAt","expiresAt","models","rpm","rpd","admin"}` (ISO-8601 dates; an absent
/// member means nil, `active`, or `false`).
///
/// The original TypeScript gateway keyed the same map by the PLAINTEXT keys, with `tenantId` instead of
/// `tenant`; such entries are still read (their key is hashed here and never kept or logged), and
/// `APIKeyMapMigration` rewrites them in the hashed form. A map key that is 64 lowercase hex digits is a hash;
/// anything else is a plaintext key.
public enum APIKeyMap {
    /// Whether a map key is a SHA-256 hex digest rather than a plaintext key.
    public static func isHash(_ key: String) -> Bool {
        key.utf8.count == 64 && key.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }  // 0-9, a-f
    }

    /// The hash a map key stands for.
    public static func hash(ofMapKey key: String) -> String { isHash(key) ? key : APIKey.hash(key) }

    /// Every valid entry of the map by hash; entries without a tenant are skipped. A hashed entry wins over a
    /// plaintext one of the same key.
    public static func records(_ map: JSONObject) -> [String: APIKeyRecord] {
        var records: [String: APIKeyRecord] = [:]
        for (key, entry) in map {
            let hash = hash(ofMapKey: key)
            guard let record = record(hash: hash, entry: entry) else { continue }
            if records[hash] == nil || isHash(key) { records[hash] = record }
        }
        return records
    }

    /// One entry as a record; nil when it names no tenant.
    public static func record(hash: String, entry: JSONValue) -> APIKeyRecord? {
        guard let tenant = entry["tenant"]?.stringValue ?? entry["tenantId"]?.stringValue, !tenant.isEmpty else {
            return nil
        }
        let status: APIKeyRecord.Status =
            switch entry["status"]?.stringValue {
            case nil, "active"?: .active
            default: .disabled
            }
        return APIKeyRecord(
            hash: hash, tenant: tenant, label: entry["label"]?.stringValue ?? "", status: status,
            createdAt: date(entry["createdAt"]) ?? Date(timeIntervalSince1970: 0), expiresAt: date(entry["expiresAt"]),
            models: entry["models"]?.arrayValue.map { $0.compactMap(\.stringValue) }, rpm: entry["rpm"]?.intValue,
            rpd: entry["rpd"]?.intValue, admin: entry["admin"]?.boolValue ?? false)
    }

    /// A record as its entry in the hashed map.
    public static func entry(_ record: APIKeyRecord) -> JSONValue {
        var object: JSONObject = [
            "tenant": .string(record.tenant), "label": .string(record.label), "status": .string(record.status.rawValue),
            "createdAt": .string(AWSTimestamp.iso8601(record.createdAt)),
        ]
        if let expiresAt = record.expiresAt { object["expiresAt"] = .string(AWSTimestamp.iso8601(expiresAt)) }
        if let models = record.models { object["models"] = .array(models.map { .string($0) }) }
        if let rpm = record.rpm { object["rpm"] = .number(JSONNumber(rpm)) }
        if let rpd = record.rpd { object["rpd"] = .number(JSONNumber(rpd)) }
        if record.admin { object["admin"] = true }
        return .object(object)
    }

    /// An ISO-8601 string, or Unix seconds (or milliseconds, for values past the year 33658).
    static func date(_ value: JSONValue?) -> Date? {
        if let text = value?.stringValue { return AWSTimestamp.parseISO8601(text) }
        guard let number = value?.doubleValue else { return nil }
        return Date(timeIntervalSince1970: number > 1e12 ? number / 1000 : number)
    }
}
