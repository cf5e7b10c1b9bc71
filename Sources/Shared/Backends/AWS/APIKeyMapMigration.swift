import GatewayAWS
import GatewayCore
import GatewaySchema

/// Rewrites a key map keyed by plaintext keys (the original gateway's form) into the hashed form: each plaintext
/// entry becomes `hash → entry` in the current member names, hashed entries are kept as they are. Idempotent: a
/// migrated map migrates to itself. Entries that name no tenant are kept untouched (and counted as kept) so
/// nothing is lost; they were never usable.
public struct APIKeyMapMigration: Sendable, Equatable {
    public var map: JSONObject
    /// Plaintext entries rewritten (or dropped because their hashed entry already existed).
    public var migrated: Int
    /// Entries kept as they were.
    public var kept: Int

    public init(_ original: JSONObject) {
        var map = JSONObject()
        var migrated = 0
        var kept = 0
        var converted: [(String, JSONValue)] = []
        for (key, entry) in original {
            guard !APIKeyMap.isHash(key),
                let record = APIKeyMap.record(hash: APIKeyMap.hash(ofMapKey: key), entry: entry)
            else {
                map[key] = entry
                kept += 1
                continue
            }
            converted.append((record.hash, APIKeyMap.entry(record)))
            migrated += 1
        }
        // A hashed entry already present wins over the plaintext one it came from.
        for (hash, entry) in converted where map[hash] == nil { map[hash] = entry }
        self.map = map
        self.migrated = migrated
        self.kept = kept
    }
}
